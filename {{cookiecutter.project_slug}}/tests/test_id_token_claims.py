"""Reading the signed-in user decodes the session's own ID token on every request: each
session only ever sees its own claims, and a token that is not an ID token is no user."""

from __future__ import annotations

import base64
import json

from logto_kit.auth import logto_auth
from logto_kit.auth.session_storage import KEY_PREFIX
from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto, FakeUser
from .flows import callback_path, sign_in
from .page_client import PageClient


def segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_each_session_sees_only_its_own_claims(settings: Settings, logto: FakeLogto) -> None:
    app = create_app(settings)
    users = [FakeUser(sub=f"u-{n}", name=f"User {n}", username=f"user{n}") for n in range(3)]
    clients = [PageClient(app) for _ in users]
    try:
        for client, user in zip(clients, users, strict=True):
            started = client.get("/sign-in")
            path, query = callback_path(logto.authorize(started.location, user))
            assert client.get(path, query).status == 302
        for _ in range(3):
            for client, user in zip(clients, users, strict=True):
                page = client.get("/profile")
                assert user.name is not None and user.name in page.text
                others = [u.name for u in users if u is not user and u.name is not None]
                assert not any(name in page.text for name in others)
    finally:
        for client in clients:
            client.close()


def test_claims_are_the_tokens_own_and_a_bad_token_has_none(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in(client, logto)
    id_token = client.session()[KEY_PREFIX + "idToken"]
    claims = logto_auth.decoded_id_token_claims(id_token)
    assert claims is not None and claims["name"] == "Alice Example"
    claims["name"] = "Mallory"  # a copy of its own: the next read is the token's again
    assert logto_auth.decoded_id_token_claims(id_token) == {**claims, "name": "Alice Example"}
    header = segment({"alg": "ES384"})
    not_utf8 = base64.urlsafe_b64encode(b"\xff\xfe").decode()
    a_list, no_sub = segment(["a list"]), segment({"name": "no sub"})
    for bad in (
        "not a JWT",
        "a.b",
        f"{header}.!!!.sig",
        f"{header}.{a_list}.sig",
        f"{header}.{no_sub}.sig",
        f"{header}.{not_utf8}.sig",
    ):
        assert logto_auth.decoded_id_token_claims(bad) is None, bad
    unset = segment({"sub": "u", "name": None})
    assert logto_auth.decoded_id_token_claims(f"{header}.{unset}.sig") == {"sub": "u"}

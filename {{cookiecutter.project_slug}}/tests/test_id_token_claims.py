"""Reading the signed-in user decodes each ID token once per process, and only ever answers
with that token's own claims."""

from __future__ import annotations

import pytest
from logto.OidcCore import OidcCore

from logto_kit.auth import logto_auth
from logto_kit.auth.session_storage import KEY_PREFIX
from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto, FakeUser
from .flows import callback_path, sign_in
from .page_client import PageClient


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ID tokens decoded from now on (the cache starts empty)."""
    logto_auth.decoded_id_token_claims.cache_clear()
    seen: list[str] = []
    decode = OidcCore.decodeIdToken

    def counting(id_token: str) -> object:
        seen.append(id_token)
        return decode(id_token)

    monkeypatch.setattr(OidcCore, "decodeIdToken", staticmethod(counting))
    return seen


def test_a_token_is_decoded_once_for_all_its_pages(
    client: PageClient, logto: FakeLogto, decodes: list[str]
) -> None:
    sign_in(client, logto)
    for _ in range(5):
        for path in ("/", "/profile"):
            assert "Alice Example" in client.get(path).text
    assert len(decodes) == 1


def test_each_session_sees_only_its_own_claims(
    settings: Settings, logto: FakeLogto, decodes: list[str]
) -> None:
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
    assert len(decodes) == len(users)


def test_cached_claims_are_read_only_and_a_bad_token_has_none(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in(client, logto)
    id_token = client.session()[KEY_PREFIX + "idToken"]
    claims = logto_auth.decoded_id_token_claims(id_token)
    assert claims is not None
    with pytest.raises(TypeError):
        claims["name"] = "Mallory"  # type: ignore[index]
    assert logto_auth.decoded_id_token_claims("not a JWT") is None

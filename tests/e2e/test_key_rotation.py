"""The IdP rotates its signing key while each bake runs (under its production server) with
the old one cached: the next sign-in, and the next renewal of an earlier one, verify on the
first try. PyJWT on its own would not look for the new key within 30 s of its last fetch,
which for a freshly started app means every sign-in of that time fails."""

from __future__ import annotations

import base64
import json
import time
import zlib
from pathlib import Path

import jwt
import pytest

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.e2e_stack import idp_and_bake
from tests.support.http_user import HttpUser, sign_in_at_idp
from tests.support.processes import free_port

pytestmark = pytest.mark.e2e

ACCOUNTS = {
    "alice": {"name": "Alice Example", "email": "alice@example.com"},
    "bob": {"name": "Bob Example", "email": "bob@example.com"},
}
#: The app renews an ID token 30 s before its `exp`: one of 33 s is due 3 s after it was issued.
ID_TOKEN_TTL = 33


def signed_in_as(user: HttpUser, url: str, name: str) -> bool:
    page = user.request(f"{url}/profile")
    return page.status == 200 and name in page.body


def id_token_kid(user: HttpUser) -> str | None:
    """The `kid` of the ID token in a signed-cookie session (read, not verified)."""
    (cookie,) = [cookie.value for cookie in user.jar if cookie.name == "session"]
    assert cookie
    payload = cookie.removeprefix(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if cookie.startswith("."):  # itsdangerous's mark of a compressed payload
        data = zlib.decompress(data)
    kid = jwt.get_unverified_header(json.loads(data)["logto.idToken"]).get("kid")
    return str(kid) if kid else None


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_tokens_signed_by_a_rotated_key_verify_on_the_first_try(
    framework: str, tmp_path: Path
) -> None:
    port = free_port()
    with (
        idp_and_bake(
            tmp_path,
            framework=framework,
            backend="cookie",
            store="cookie",
            app_port=port,
            accounts=ACCOUNTS,
            id_token_ttl=ID_TOKEN_TTL,
        ) as (idp, app),
        running_app(app, tmp_path) as url,  # a worker fetches the keys at its first callback
    ):
        alice = HttpUser()
        assert sign_in_at_idp(alice, alice.open(f"{url}/sign-in"), "alice").url == f"{url}/"
        new_kid, old_kid = idp.rotate_keys()
        assert id_token_kid(alice) == old_kid

        bob = HttpUser()
        home = sign_in_at_idp(bob, bob.open(f"{url}/sign-in"), "bob")
        assert home.url == f"{url}/", home.history
        assert signed_in_as(bob, url, "Bob Example")
        assert id_token_kid(bob) == new_kid

        time.sleep(ID_TOKEN_TTL - 30 + 1)  # Alice's ID token is due for renewal now
        assert signed_in_as(alice, url, "Alice Example")
        assert id_token_kid(alice) == new_kid  # renewed, signed by the new key

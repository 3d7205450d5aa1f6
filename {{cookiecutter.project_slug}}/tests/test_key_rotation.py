"""Logto's signing keys rotate: a token signed by a key published a moment ago verifies on the
first try (sign-in and renewal); keys that cannot be fetched are a 503 (try again), a token
whose signature does not match a published key a 400 (test_callback_failures.py)."""

from __future__ import annotations

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient
from .token_flows import sign_in_expired


def test_a_token_signed_by_a_new_key_verifies_on_the_first_try(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in(client, logto)  # the first sign-in fetches Logto's keys
    fetched = logto.request_count("/oidc/jwks")
    logto.rotate_key()
    callback = sign_in(client, logto)
    assert callback.status == 302, callback.text
    assert "Alice Example" in client.get("/").text
    assert logto.request_count("/oidc/jwks") == fetched + 1  # the new key, once


def test_a_renewal_signed_by_a_new_key_verifies_on_the_first_try(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in_expired(client, logto)  # the next page renews it
    logto.rotate_key()
    tokens = logto.request_count("/oidc/token")
    page = client.get("/profile")
    assert page.status == 200 and "Alice Example" in page.text
    assert logto.request_count("/oidc/token") == tokens + 1  # renewed, with the new key


def test_keys_that_cannot_be_fetched_are_a_503(client: PageClient, logto: FakeLogto) -> None:
    logto.rotate_key()
    logto.jwks_down = True
    callback = sign_in(client, logto)
    assert callback.status == 503
    assert "Logto is unreachable" in callback.text

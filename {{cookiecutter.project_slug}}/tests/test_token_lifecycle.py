"""Token lifecycle: signed in means holding an ID token that has not expired.

An expired one is renewed with the refresh token, transparently and at one token request for
all the session's concurrent requests: Logto rotates refresh tokens and revokes the sign-in when
one is used twice. A refused renewal signs the user out (never a 500); while Logto cannot be
reached, pages that show the user answer 503 and the session is kept.
"""

from __future__ import annotations

import pytest

from logto_kit.auth import logto_auth, token_refresh
from logto_kit.auth.session_storage import KEY_PREFIX

from .concurrent_pages import get_concurrently
from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient
from .token_flows import (
    EXPIRED_TTL,
    an_hour_later,
    idp_calls,
    refresh_elsewhere,
    sign_in_expired,
)

CONCURRENT_REQUESTS = 8


def stored(client: PageClient, key: str) -> object:
    return client.session().get(KEY_PREFIX + key)


def test_a_valid_id_token_costs_no_call_to_logto(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    assert client.get("/profile").status == 200  # fetches userinfo once
    before = idp_calls(logto)
    for path in ("/", "/profile", "/sign-out", "/"):
        page = client.get(path)
        assert page.status == 200
        assert "Sign out" in page.text  # signed in
    assert idp_calls(logto) == before


def test_an_expired_id_token_is_renewed_transparently(client: PageClient, logto: FakeLogto) -> None:
    sign_in_expired(client, logto)
    id_token, refresh_token = stored(client, "idToken"), stored(client, "refreshToken")
    tokens = logto.request_count("/oidc/token")

    home = client.get("/")
    assert home.status == 200
    assert "Alice Example" in home.text
    assert "Sign out" in home.text
    assert logto.request_count("/oidc/token") == tokens + 1
    assert stored(client, "idToken") not in (None, id_token)
    assert stored(client, "refreshToken") not in (None, refresh_token)

    assert "Alice Example" in client.get("/").text
    assert logto.request_count("/oidc/token") == tokens + 1, "the new ID token is valid"


def test_a_page_that_needs_the_user_renews_an_expired_id_token(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in_expired(client, logto)
    tokens = logto.request_count("/oidc/token")
    profile = client.get("/profile")
    assert profile.status == 200
    assert "u-alice" in profile.text
    assert "alice@example.com" in profile.text  # userinfo, with the renewed access token
    assert logto.request_count("/oidc/token") == tokens + 1


def test_one_request_renews_once_even_when_the_new_id_token_is_short_lived(
    client: PageClient, logto: FakeLogto
) -> None:
    """`login_required` and the page both ask for the user: one renewal serves both, even
    when Logto's new ID token is as short-lived as the old one was."""
    sign_in_expired(client, logto)
    logto.id_token_ttl = EXPIRED_TTL  # the renewed one counts as expired at once, too
    tokens = logto.request_count("/oidc/token")
    profile = client.get("/profile")
    assert profile.status == 200
    assert "u-alice" in profile.text
    assert logto.request_count("/oidc/token") == tokens + 1


def test_a_refused_renewal_signs_out_and_sends_through_sign_in(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in_expired(client, logto)
    logto.token_error = (400, {"error": "invalid_grant", "error_description": "grant expired"})

    page = client.get("/profile")
    assert page.status == 302
    assert page.location.endswith("/sign-in?next=/profile")
    assert client.session() == {}
    home = client.get("/")
    assert home.status == 200
    assert "Sign out" not in home.text
    assert 'href="/sign-in"' in home.text


def test_a_revoked_sign_in_shows_the_home_page_signed_out(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in_expired(client, logto)
    refresh_token = stored(client, "refreshToken")
    assert isinstance(refresh_token, str)
    refresh_elsewhere(logto, refresh_token)  # the app's refresh token is now a reuse

    home = client.get("/")
    assert home.status == 200
    assert "Sign out" not in home.text
    assert logto.revoked_grants == 1
    assert client.session() == {}
    assert client.get("/profile").status == 302


def test_sign_out_confirmation_after_a_refused_renewal_goes_home(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in_expired(client, logto)
    logto.token_error = (400, {"error": "invalid_grant", "error_description": "grant revoked"})
    page = client.get("/sign-out")
    assert page.status == 302
    assert page.location.endswith("/")
    assert client.session() == {}


def test_logto_unreachable_during_renewal_answers_503_and_keeps_the_session(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in_expired(client, logto)
    refresh_token = stored(client, "refreshToken")
    logto.down = True

    for path in ("/", "/profile"):
        page = client.get(path)
        assert page.status == 503, (path, page.status, page.text[:300])
        assert "Logto is unreachable" in page.text
    assert stored(client, "refreshToken") == refresh_token

    logto.down = False  # Logto is back: the kept session is renewed
    home = client.get("/")
    assert home.status == 200
    assert "Alice Example" in home.text


def test_concurrent_requests_at_expiry_make_one_refresh(
    client: PageClient, logto: FakeLogto, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_expired(client, logto)
    cookie = client.cookie("session")
    assert cookie
    tokens = logto.request_count("/oidc/token")
    logto.token_delay = 0.3  # every request arrives while the first refresh is under way

    results = get_concurrently([client.app], "/", cookie, CONCURRENT_REQUESTS)

    assert [page.status for page, _ in results] == [200] * CONCURRENT_REQUESTS
    signed_in = sum("Alice Example" in page.text for page, _ in results)
    assert signed_in == CONCURRENT_REQUESTS, "every request goes on signed in"
    assert logto.request_count("/oidc/token") == tokens + 1
    assert logto.revoked_grants == 0
    auth: logto_auth.LogtoAuth = client.extension("logto_auth")
    assert len(auth.refresher.locks) == 0  # the lock registry keeps no key

    # Every session saved holds the one renewal's refresh token, none the used one: when the
    # renewed ID token expires in turn, whichever cookie the browser kept renews it again.
    an_hour_later(monkeypatch, logto_auth, token_refresh)  # outcomes expired too
    for page_cookie in {new or cookie for _, new in results}:
        [(again, _)] = get_concurrently([client.app], "/", page_cookie, 1)
        assert "Alice Example" in again.text
    assert logto.request_count("/oidc/token") == tokens + 2
    assert logto.revoked_grants == 0

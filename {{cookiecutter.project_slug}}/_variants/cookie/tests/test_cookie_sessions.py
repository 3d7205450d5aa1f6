"""The signed-cookie backend refuses, loudly, a session the browser would silently drop; and
a cookie copied before sign-out still opens the session until its ID token expires (the limit
its README states), never longer: sign-out revoked its refresh token."""

from __future__ import annotations

import logging
import secrets

import pytest

from logto_kit.auth import logto_auth, token_refresh
from logto_kit.sessions.cookie_limit import COOKIE_LIMIT_BYTES

from .fake_logto import FakeLogto, FakeUser
from .flows import callback_path, csrf_token_in, sign_in
from .page_client import PageClient
from .token_flows import an_hour_later


def test_a_normal_sign_in_fits_in_the_cookie(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    cookie = client.cookie("session")
    assert cookie and len("session=" + cookie) < COOKIE_LIMIT_BYTES
    assert "Alice Example" in client.get("/").text


def test_an_oversized_session_is_refused_not_dropped(
    client: PageClient, logto: FakeLogto, caplog: pytest.LogCaptureFixture
) -> None:
    started = client.get("/sign-in")
    cookie_before = client.cookie("session")
    big_user = FakeUser(extra={"blob": secrets.token_urlsafe(6000)})  # random: won't compress
    path, query = callback_path(logto.authorize(started.location, big_user))
    with caplog.at_level(logging.ERROR):
        page = client.get(path, query)
    assert page.status == 507
    assert "server-side session backend" in page.text
    assert page.headers["x-frame-options"] == "DENY"  # the security headers' hook runs last
    assert "set-cookie" not in page.headers  # the browser keeps its previous cookie
    assert client.cookie("session") == cookie_before
    assert "would be" in caplog.text and "server-side" in caplog.text
    assert "Sign out" not in client.get("/").text


def test_a_cookie_copied_before_sign_out_opens_the_session_until_its_id_token_expires(
    client: PageClient, logto: FakeLogto, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing on the server records a sign-out: the stated price of the cookie backend. A
    copy still shows the user while its ID token is valid; then it cannot be renewed, as
    sign-out revoked its refresh token at Logto (server-side backends delete the session)."""
    sign_in(client, logto)
    copied = client.cookie("session")
    assert copied
    client.post("/sign-out", {"csrf_token": csrf_token_in(client.get("/"))})
    assert "Alice Example" not in client.get("/").text  # this browser is signed out
    client.set_cookie("session", copied)
    assert "Alice Example" in client.get("/").text
    an_hour_later(monkeypatch, logto_auth, token_refresh)  # the copy's ID token has expired
    tokens = logto.request_count("/oidc/token")
    home = client.get("/")
    assert home.status == 200 and "Alice Example" not in home.text
    assert logto.request_count("/oidc/token") == tokens + 1  # the renewal Logto refused
    assert "Alice Example" not in client.get("/").text  # the copy is spent

"""Every way the callback can fail shows a friendly page with a retry link - never a 500."""

from __future__ import annotations

import dataclasses
import logging
import socket
from typing import Any

import pytest

from logto_kit.auth.session_storage import KEY_PREFIX
from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import callback_path, sign_in
from .page_client import PageClient
from .pages import Page


def assert_failure_page(page: Page, status: int, words: str) -> None:
    assert page.status == status, page.text
    assert words in page.text
    assert 'href="/sign-in"' in page.text  # "try again"


def assert_signed_out(client: PageClient) -> None:
    assert KEY_PREFIX + "idToken" not in client.session()
    assert client.get("/profile").status == 302


def test_denied_sign_in(
    client: PageClient, logto: FakeLogto, caplog: pytest.LogCaptureFixture
) -> None:
    started = client.get("/sign-in")
    path, query = callback_path(logto.deny(started.location))
    with caplog.at_level(logging.WARNING):
        page = client.get(path, query)
    assert_failure_page(page, 403, "cancelled")
    assert "access_denied" in caplog.text
    assert_signed_out(client)


def test_state_mismatch(client: PageClient, logto: FakeLogto) -> None:
    started = client.get("/sign-in")
    path, query = callback_path(logto.authorize(started.location))
    query["state"] = "forged-state"
    before = client.session()
    assert_failure_page(client.get(path, query), 400, "does not match")
    assert client.session() == before, "a forged callback must not touch the session"
    assert_signed_out(client)
    assert logto.request_count("/oidc/token") == 0


def test_forged_code_leaves_the_session_unchanged(client: PageClient, logto: FakeLogto) -> None:
    started = client.get("/sign-in")
    _, query = callback_path(logto.authorize(started.location))
    before = client.session()
    page = client.get("/callback", {"code": "forged-code", "state": query["state"]})
    assert_failure_page(page, 400, "did not accept")
    assert client.session() == before
    assert_signed_out(client)


def test_callback_without_a_sign_in_session(client: PageClient, logto: FakeLogto) -> None:
    page = client.get("/callback", {"code": "stolen-code", "state": "whatever"})
    assert_failure_page(page, 400, "not started here")
    assert_signed_out(client)


def test_missing_code(client: PageClient, logto: FakeLogto) -> None:
    started = client.get("/sign-in")
    path, query = callback_path(logto.authorize(started.location))
    del query["code"]
    assert_failure_page(client.get(path, query), 400, "incomplete")


def test_code_rejected_by_logto(client: PageClient, logto: FakeLogto) -> None:
    logto.token_error = (400, {"error": "invalid_grant", "error_description": "code expired"})
    started = client.get("/sign-in")
    path, query = callback_path(logto.authorize(started.location))
    assert_failure_page(client.get(path, query), 400, "did not accept")
    assert_signed_out(client)


def test_replayed_callback(client: PageClient, logto: FakeLogto) -> None:
    started = client.get("/sign-in")
    path, query = callback_path(logto.authorize(started.location))
    assert client.get(path, query).status == 302
    assert client.get("/").status == 200  # renders the sign-out form: its CSRF token exists
    before = client.session()
    replay = client.get(path, query)
    assert_failure_page(replay, 400, "not started here")
    assert client.session() == before  # the replay changed nothing
    assert "Alice Example" in client.get("/").text


@pytest.mark.parametrize("knob", ["sign_with_foreign_key", "wrong_audience"])
def test_id_token_that_fails_verification(client: PageClient, logto: FakeLogto, knob: str) -> None:
    setattr(logto, knob, True)
    assert_failure_page(sign_in(client, logto), 400, "failed verification")
    assert_signed_out(client)


def test_logto_unreachable_at_callback(client: PageClient, logto: FakeLogto) -> None:
    started = client.get("/sign-in")
    path, query = callback_path(logto.authorize(started.location))
    logto.stop()
    page = client.get(path, query)
    assert_failure_page(page, 503, "Logto refused the connection")
    assert "logto doctor" in page.text  # what the site's operator can run


def test_logto_whose_name_does_not_resolve(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A LOGTO_ENDPOINT with a typo in its host: the page says so, not "did not answer"."""
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "logto-typo.invalid":  # answered here: the tests never ask a DNS server
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    settings = dataclasses.replace(settings, logto_endpoint="http://logto-typo.invalid")
    client = PageClient(create_app(settings))
    try:
        page = client.get("/sign-in")
    finally:
        client.close()
    assert_failure_page(page, 503, "Logto cannot be found: the host name of LOGTO_ENDPOINT")


def test_unknown_page_is_a_friendly_404(client: PageClient) -> None:
    page = client.get("/no-such-page")
    assert page.status == 404
    assert "Not Found" in page.text
    assert "Go to the home page" in page.text and "Try signing in again" not in page.text

"""Sign-out revokes the refresh token at Logto (RFC 7009) before the session is cleared, so a
copy of the session cannot renew itself afterwards; a Logto that cannot be reached or refuses
still signs the user out here, within the IdP time limit, with one warning line."""

from __future__ import annotations

import logging
import time

import pytest

from logto_kit.auth import logto_client
from logto_kit.auth.session_storage import KEY_PREFIX
from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import csrf_token_in, sign_in
from .page_client import PageClient
from .token_flows import refresh_grant

REVOCATION = "/oidc/token/revocation"
STALL_SECONDS = 1.5


def sign_out(client: PageClient) -> tuple[int, str]:
    page = client.post("/sign-out", {"csrf_token": csrf_token_in(client.get("/"))})
    return page.status, page.location if page.status == 302 else page.text


def stored_refresh_token(client: PageClient) -> str:
    token = client.session().get(KEY_PREFIX + "refreshToken")
    assert isinstance(token, str) and token
    return token


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_sign_out_revokes_the_refresh_token(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    client.get("/profile")  # an access token for userinfo too
    copied = stored_refresh_token(client)  # what a copy of the session holds
    status, location = sign_out(client)
    assert status == 302 and location.startswith(f"{logto.issuer}/session/end?")
    assert logto.request_count(REVOCATION) == 1
    assert logto.revoked_refresh_tokens == [copied]
    assert client.session() == {}
    refused, answer = refresh_grant(logto, copied)
    assert (refused, answer["error"]) == (400, "invalid_grant"), answer


@pytest.mark.parametrize("failure", ["down", "refuses"])
def test_logto_failing_at_sign_out_still_signs_out_here(
    failure: str, client: PageClient, logto: FakeLogto, caplog: pytest.LogCaptureFixture
) -> None:
    sign_in(client, logto)
    if failure == "down":
        logto.down = True  # 503 from every endpoint; discovery is cached since the sign-in
    else:
        logto.client_secret = "rotated-in-logto"  # Logto answers 401 invalid_client
    with caplog.at_level(logging.WARNING):
        status, location = sign_out(client)
    assert status == 302 and location.startswith(f"{logto.issuer}/session/end?")
    assert client.session() == {}
    assert "Sign out" not in client.get("/").text
    (warning,) = warnings_of(caplog)
    assert "did not revoke the refresh token" in warning, warning


def test_a_stalled_logto_at_sign_out_is_bounded(
    client: PageClient,
    logto: FakeLogto,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sign_in(client, logto)
    monkeypatch.setattr(logto_client, "IDP_TIMEOUT_SECONDS", 0.2)
    logto.token_delay = STALL_SECONDS
    begun = time.perf_counter()
    with caplog.at_level(logging.WARNING):
        status, _ = sign_out(client)
    elapsed = time.perf_counter() - begun
    assert status == 302
    assert elapsed < 1.0, f"took {elapsed:.2f} s: the time limit was not applied"
    assert client.session() == {}
    (warning,) = warnings_of(caplog)
    assert "did not answer in time" in warning or "TimeoutError" in warning, warning
    time.sleep(STALL_SECONDS - elapsed + 0.2)  # let the fake's stalled request finish


def test_a_worker_that_cannot_reach_logto_at_all_signs_out_here(
    client: PageClient, logto: FakeLogto, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker that never fetched discovery (restarted since the sign-in) and a Logto that
    is down: the session ends here, the page says Logto's session may remain."""
    sign_in(client, logto)
    cookie = client.cookie("session")
    assert cookie
    other_worker = PageClient(create_app(settings))
    try:
        other_worker.set_cookie("session", cookie)
        token = csrf_token_in(other_worker.get("/"))
        logto.down = True
        with caplog.at_level(logging.WARNING):
            page = other_worker.post("/sign-out", {"csrf_token": token})
        assert page.status == 503 and "Signed out of this app only" in page.text
        assert "Sign out" not in other_worker.get("/").text
        (warning,) = warnings_of(caplog)
        assert "the refresh token was not revoked" in warning, warning
    finally:
        other_worker.close()

"""/healthz (liveness) and /readyz (readiness) answer for containers, orchestrators and load
balancers: no session, no sign-in, no Logto (a server-side store's outage tests: one that
fails)."""

from __future__ import annotations

import pytest

from .fake_logto import FakeLogto
from .page_client import PageClient
from .token_flows import idp_calls


@pytest.mark.parametrize(("path", "text"), [("/healthz", "ok\n"), ("/readyz", "ready\n")])
def test_health_is_ok_without_a_session_or_logto(
    client: PageClient, logto: FakeLogto, path: str, text: str
) -> None:
    """Readiness asks the session store only (a signed cookie has none to ask): signed-in
    pages serve without Logto until a sign-in or a renewal needs it."""
    before = idp_calls(logto)
    logto.down = True  # Logto being down does not make the app unhealthy
    page = client.get(path)
    assert page.status == 200
    assert page.text == text
    assert page.headers["content-type"].startswith("text/plain")
    assert page.headers["cache-control"] == "no-store"
    assert "set-cookie" not in page.headers
    assert client.cookie("session") is None
    assert idp_calls(logto) == before

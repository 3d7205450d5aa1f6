"""/healthz answers for containers and load balancers: no session, no sign-in, no Logto."""

from __future__ import annotations

from .fake_logto import FakeLogto
from .page_client import PageClient
from .token_flows import idp_calls


def test_healthz_is_ok_without_a_session_or_logto(client: PageClient, logto: FakeLogto) -> None:
    before = idp_calls(logto)
    logto.down = True  # Logto being down does not make the app unhealthy
    page = client.get("/healthz")
    assert page.status == 200
    assert page.text == "ok\n"
    assert page.headers["content-type"].startswith("text/plain")
    assert page.headers["cache-control"] == "no-store"
    assert "set-cookie" not in page.headers
    assert client.cookie("session") is None
    assert idp_calls(logto) == before

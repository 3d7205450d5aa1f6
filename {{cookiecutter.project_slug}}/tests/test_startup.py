"""The app starts even when Logto is down, and recovers on its own when Logto comes back."""

from __future__ import annotations

from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient


def test_start_while_logto_is_down_then_recover(settings: Settings, logto: FakeLogto) -> None:
    logto.down = True
    client = PageClient(create_app(settings))
    try:
        assert client.get("/").status == 200
        unavailable = client.get("/sign-in")
        assert unavailable.status == 503
        assert "unreachable" in unavailable.text

        logto.down = False
        assert sign_in(client, logto).status == 302
        assert "Alice Example" in client.get("/").text
    finally:
        client.close()


def test_session_cookie_flags(client: PageClient, logto: FakeLogto) -> None:
    page = client.get("/sign-in")
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # APP_BASE_URL is http://localhost here

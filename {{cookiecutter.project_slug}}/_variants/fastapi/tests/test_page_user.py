"""A page shows the visitor as the session holds them when it is rendered: a route that ends
the sign-in before rendering shows a signed-out page, one that renders untouched shows the
user (whose ID token was read once for the request)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.views import templates

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient


def app_with_forgetting_page(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.get("/forget-me")
    async def forget_me(request: Request) -> HTMLResponse:
        request.session.clear()  # signed out while the request is served
        return templates.TemplateResponse(request, "home.html")

    return app


def test_the_page_shows_the_session_as_it_is_when_rendered(
    settings: Settings, logto: FakeLogto
) -> None:
    client = PageClient(app_with_forgetting_page(settings))
    try:
        sign_in(client, logto)
        assert "Sign out" in client.get("/").text
        page = client.get("/forget-me")
        assert page.status == 200
        assert "Sign out" not in page.text and "Sign in" in page.text
    finally:
        client.close()

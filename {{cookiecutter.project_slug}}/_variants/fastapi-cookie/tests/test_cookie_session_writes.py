"""The session cookie is written back exactly when the session changed: not for a page that
only read it, for a value set or changed inside a nested one (as Starlette's own sessions
keep it), and cleared once the session is empty."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from logto_kit.settings import Settings
from logto_kit.web import csrf

from {{ cookiecutter.package_name }} import create_app

from .page_client import PageClient


def app_with_cart(settings: Settings) -> FastAPI:
    app = create_app(settings)

    @app.get("/cart", response_class=PlainTextResponse)
    async def cart(request: Request) -> str:
        return ",".join(request.session.get("cart", {}).get("items", []))

    @app.post("/cart/{item}", response_class=PlainTextResponse)
    async def add(request: Request, item: str) -> str:
        request.session.setdefault("cart", {"items": []})["items"].append(item)  # nested
        return "added"

    @app.post("/cart-clear", response_class=PlainTextResponse)
    async def clear(request: Request) -> str:
        request.session.clear()
        return "cleared"

    csrf.exempt("/cart/")
    csrf.exempt("/cart-clear")
    return app


def test_the_cookie_is_written_when_and_only_when_the_session_changed(
    settings: Settings,
) -> None:
    client = PageClient(app_with_cart(settings))
    try:
        assert "set-cookie" not in client.get("/cart").headers  # nothing to keep
        assert "set-cookie" in client.call("POST", "/cart/apple").headers
        assert "set-cookie" not in client.get("/cart").headers  # read only
        added = client.call("POST", "/cart/pear")  # a change inside the nested list
        assert "set-cookie" in added.headers
        assert client.get("/cart").text == "apple,pear"
        cleared = client.call("POST", "/cart-clear")
        assert "session=;" in cleared.headers["set-cookie"]
        assert client.get("/cart").text == ""
    finally:
        client.close()

"""A Flask app with nothing but the session interface and five routes, for
test_session_interface.py."""

from __future__ import annotations

from typing import Any

from flask import Flask, session

from logto_kit.sessions.interface import install, regenerate_session_id
from logto_kit.sessions.server_side import SessionStore

from .pages import Page


class TinySessionApp:
    def __init__(self, store: SessionStore, **config: Any) -> None:
        self.app = app = Flask(__name__)
        app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", **config)
        install(app, store)

        @app.get("/read")
        def read() -> str:
            return str(session.get("user", ""))

        @app.post("/set/<value>")
        def set_value(value: str) -> str:
            session["user"] = value
            return "set"

        @app.post("/sign-in")
        def sign_in() -> str:
            session["user"] = "signed-in"
            regenerate_session_id()
            return "signed in"

        @app.post("/sign-out")
        def sign_out() -> str:
            session.clear()
            return "signed out"

        @app.post("/remember")
        def remember() -> str:
            session.permanent = True
            return "remembered"

        @app.errorhandler(500)
        def error_page(error: Exception) -> tuple[str, int]:
            return "error page", 500

    def send(self, method: str, path: str, cookie: str | None) -> tuple[Page, list[str]]:
        """The response to one request carrying exactly `session=<cookie>`, and its
        Set-Cookie headers."""
        client = self.app.test_client(use_cookies=False)
        headers = {} if cookie is None else {"Cookie": f"session={cookie}"}
        response = client.open(path, method=method, headers=headers)
        page = Page(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.get_data(as_text=True),
        )
        return page, response.headers.getlist("Set-Cookie")

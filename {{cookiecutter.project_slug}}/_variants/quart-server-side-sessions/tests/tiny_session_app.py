"""A Quart app with nothing but the session interface and a few routes, for
test_session_interface.py. A session holding `user` is a signed-in one (the app's: an ID
token): only those are stored."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from quart import Quart, session

from logto_kit.sessions.interface import install, regenerate_session_id
from logto_kit.sessions.server_side import SessionStore

from .pages import Page

SECRET_KEY = "tiny-session-app-secret-key-for-its-tests"


class TinySessionApp:
    def __init__(self, store: SessionStore, **config: Any) -> None:
        self.app = app = Quart(__name__)
        app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", **config)
        app.secret_key = SECRET_KEY  # signs a signed-out visitor's session cookie
        install(app, store, holds_sign_in=lambda data: "user" in data)

        @app.get("/read")
        async def read() -> str:
            return str(session.get("user", ""))

        @app.post("/set/<value>")
        async def set_value(value: str) -> str:
            session["user"] = value
            return "set"

        @app.post("/note/<value>")
        async def note(value: str) -> str:
            session["note"] = value  # what a signed-out visitor's session holds
            return "noted"

        @app.get("/read-note")
        async def read_note() -> str:
            return str(session.get("note", ""))

        @app.post("/big-note")
        async def big_note() -> str:
            session["note"] = secrets.token_hex(3000)  # more than a browser keeps in a cookie
            return "noted"

        @app.post("/sign-out-and-note")
        async def sign_out_and_note() -> str:
            session.clear()
            session["note"] = "signed out"  # a flashed message, say
            return "signed out"

        @app.post("/sign-in")
        async def sign_in() -> str:
            session["user"] = "signed-in"
            regenerate_session_id()
            return "signed in"

        @app.post("/sign-out")
        async def sign_out() -> str:
            session.clear()
            return "signed out"

        @app.post("/remember")
        async def remember() -> str:
            session.permanent = True
            return "remembered"

        @app.errorhandler(500)
        async def error_page(error: Exception) -> tuple[str, int]:
            return "error page", 500

    def send(self, method: str, path: str, cookie: str | None) -> tuple[Page, list[str]]:
        """The response to one request carrying exactly `session=<cookie>`, and its
        Set-Cookie headers."""

        async def send() -> tuple[Page, list[str]]:
            client = self.app.test_client(use_cookies=False)
            headers = {} if cookie is None else {"Cookie": f"session={cookie}"}
            open_ = client.get if method == "GET" else client.post
            response = await open_(path, headers=headers)
            page = Page(
                response.status_code,
                {name.lower(): value for name, value in response.headers.items()},
                await response.get_data(as_text=True),
            )
            return page, response.headers.getlist("Set-Cookie")

        return asyncio.run(send())

"""A FastAPI app with nothing but the sessions middleware and a few routes, for
test_session_interface.py. A session holding `user` is a signed-in one (the app's: an ID
token): only those are stored."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from logto_kit.sessions.interface import ServerSideSession, install, regenerate_session_id
from logto_kit.sessions.server_side import SessionStore

from .pages import Page

SECRET_KEY = "tiny-session-app-secret-key-for-its-tests"


async def error_page(scope: Scope, receive: Receive, send: Send) -> None:
    """What a failed store gives (the app's is its 503 page)."""
    await PlainTextResponse("error page", 500)(scope, receive, send)


class TinySessionApp:
    def __init__(self, store: SessionStore, **config: Any) -> None:
        """`config`: the session cookie's settings as the shared tests name them
        (SESSION_COOKIE_SECURE is the one this app takes)."""
        self.app = app = FastAPI(default_response_class=PlainTextResponse)
        install(
            app,
            store,
            SECRET_KEY,  # signs a signed-out visitor's session cookie
            secure=bool(config.get("SESSION_COOKIE_SECURE", False)),
            holds_sign_in=lambda data: "user" in data,
            unavailable=error_page,
        )

        @app.get("/read")
        async def read(request: Request) -> str:
            return str(request.session.get("user", ""))

        @app.post("/set/{value}")
        async def set_value(request: Request, value: str) -> str:
            request.session["user"] = value
            return "set"

        @app.post("/note/{value}")
        async def note(request: Request, value: str) -> str:
            request.session["note"] = value  # what a signed-out visitor's session holds
            return "noted"

        @app.get("/read-note")
        async def read_note(request: Request) -> str:
            return str(request.session.get("note", ""))

        @app.post("/big-note")
        async def big_note(request: Request) -> str:
            request.session["note"] = secrets.token_hex(3000)  # more than a browser keeps
            return "noted"

        @app.post("/sign-out-and-note")
        async def sign_out_and_note(request: Request) -> str:
            request.session.clear()
            request.session["note"] = "signed out"  # a flashed message, say
            return "signed out"

        @app.post("/sign-in")
        async def sign_in(request: Request) -> str:
            request.session["user"] = "signed-in"
            regenerate_session_id()
            return "signed in"

        @app.post("/sign-out")
        async def sign_out(request: Request) -> str:
            request.session.clear()
            return "signed out"

        @app.post("/remember")
        async def remember(request: Request) -> str:
            session = request.session
            assert isinstance(session, ServerSideSession)
            session.permanent = True
            return "remembered"

    def send(self, method: str, path: str, cookie: str | None) -> tuple[Page, list[str]]:
        """The response to one request carrying exactly `session=<cookie>`, and its
        Set-Cookie headers."""
        client = TestClient(self.app, follow_redirects=False)  # a new one: no cookie kept
        headers = {} if cookie is None else {"Cookie": f"session={cookie}"}
        response = client.request(method, path, headers=headers)
        page = Page(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.text,
        )
        return page, response.headers.get_list("set-cookie")

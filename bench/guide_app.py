"""The contenders bench/throughput.py compares the baked apps with, served the same way.

Guide pattern - the code of Logto's Flask guide (docs.logto.io, "Integrate Flask with Logto"),
as an app following it would be written:

- every view is `async def` (Flask runs each one through `flask[async]`, i.e. asgiref, which
  starts an event loop per request);
- one `LogtoClient` with the guide's `SessionStorage` over the framework's session;
- `client.isAuthenticated()` on the home page; `/sign-in`, `/callback`, `/sign-out` as in the
  guide (the callback is the one of Logto's Flask quick start, which the seed omits);
- `/profile` (the guide has none) written as the guide's style suggests: an `async def` view
  that checks `isAuthenticated()` and shows `getIdTokenClaims()`. It does not call
  `fetchUserInfo()` on every request, which would be unfair to the guide (the baked app
  caches userinfo in the session, so both pages make no IdP request).

`guide_quart()` is the same code with Quart, to compare event-loop behaviour (the guide itself
is for Flask). The SDK's own `OidcCore` is used: discovery on the first sign-in, JWKS fetched
with blocking urllib while verifying the ID token. Logto has no FastAPI guide, so there is no
FastAPI guide pattern here.

Bare apps - a sync Flask hello page, an async Quart and an async FastAPI hello page: the
ceiling of each framework under its server. (The control a signed-in page is measured against,
the framework rendering the bake's own templates, is bench/control_app.py.)

Each contender is a factory for `gunicorn 'guide_app:guide_flask()'` (Quart's and FastAPI's: in
uvicorn workers), run with `bench/` as the working directory. Settings come from the
environment, under the names the baked app reads: LOGTO_ENDPOINT, LOGTO_APP_ID,
LOGTO_APP_SECRET, APP_BASE_URL, SECRET_KEY.
"""

from __future__ import annotations

import html
import os
from typing import Any

HELLO = "Hello, World!"


def _client(session: Any) -> Any:
    """The guide's client: `LogtoClient(LogtoConfig(...), storage=SessionStorage())`."""
    from logto import LogtoClient, LogtoConfig, Storage

    class SessionStorage(Storage):
        def get(self, key: str) -> str | None:
            return session.get(key, None)

        def set(self, key: str, value: str | None) -> None:
            session[key] = value

        def delete(self, key: str) -> None:
            session.pop(key, None)

    return LogtoClient(
        LogtoConfig(
            endpoint=os.environ["LOGTO_ENDPOINT"],
            appId=os.environ["LOGTO_APP_ID"],
            appSecret=os.environ["LOGTO_APP_SECRET"],
        ),
        storage=SessionStorage(),
    )


def _base_url() -> str:
    return os.environ["APP_BASE_URL"]


def _profile_page(claims: Any) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(str(value))}</td></tr>"
        for name, value in sorted(claims.model_dump(exclude_none=True).items())
    )
    return f"<h1>Profile</h1><table>{rows}</table><a href='/sign-out'>Sign out</a>"


def guide_flask() -> Any:
    import flask

    return _guide_routes(flask.Flask(__name__), flask)


def guide_quart() -> Any:
    import quart

    return _guide_routes(quart.Quart(__name__), quart)


def _guide_routes(app: Any, framework: Any) -> Any:
    """The guide's views, written once: Flask (under `flask[async]`) and Quart take the same
    `async def` code; `framework` is the `flask` or `quart` module."""
    redirect, request = framework.redirect, framework.request
    app.secret_key = os.environ["SECRET_KEY"]
    client = _client(framework.session)

    @app.route("/")
    async def home():
        if client.isAuthenticated() is False:
            return "Not authenticated <a href='/sign-in'>Sign in</a>"
        return "Authenticated <a href='/sign-out'>Sign out</a>"

    @app.route("/sign-in")
    async def sign_in():
        return redirect(await client.signIn(redirectUri=f"{_base_url()}/callback"))

    @app.route("/callback")
    async def callback():
        try:
            await client.handleSignInCallback(request.url)
            return redirect("/")
        except Exception as e:
            return "Error: " + str(e)

    @app.route("/sign-out")
    async def sign_out():
        return redirect(await client.signOut(postLogoutRedirectUri=f"{_base_url()}/"))

    @app.route("/profile")
    async def profile():
        if client.isAuthenticated() is False:
            return redirect("/sign-in")
        return _profile_page(client.getIdTokenClaims())

    return app


def bare_flask() -> Any:
    from flask import Flask

    app = Flask(__name__)

    @app.route("/")
    def hello() -> str:
        return HELLO

    return app


def bare_quart() -> Any:
    from quart import Quart

    app = Quart(__name__)

    @app.route("/")
    async def hello() -> str:
        return HELLO

    return app


def bare_fastapi() -> Any:
    """FastAPI as it ships (its /docs routes included), one async page."""
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    async def hello() -> str:
        return HELLO

    return app

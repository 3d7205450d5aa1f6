"""Sessions in a signed cookie (no server), in the Pallets frameworks' format
(signed_cookie.py), refused loudly when too large to keep.

An ASGI middleware opens the session before any route runs (`request.session`, and the
sign-in flow's `session`: request_session.py) and, when the response starts, writes it back
if its content changed (by a fingerprint of the content, so a change inside a nested value
counts too, as with Starlette's own sessions), or clears the cookie once the session is
empty."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import SESSION_LIFETIME_SECONDS, Settings
from ..web.error_pages import respond_with_failure
from .cookie_limit import oversized_cookie_failure
from .request_session import CURRENT_SESSION
from .signed_cookie import cookie_serializer, fingerprint, open_signed_cookie, request_cookie

logger = logging.getLogger(__name__)
COOKIE_NAME = "session"
#: Paths served without a session: no cookie is read or written.
SESSIONLESS_PREFIXES = ("/static/", "/healthz", "/readyz")


class CookieSessions:
    """ASGI middleware: the request's session from, and back into, its signed cookie."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.serializer = cookie_serializer(settings.secret_key)
        self.attributes = "; Path=/; HttpOnly; SameSite=Lax" + (
            "; Secure" if settings.uses_https else ""
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SESSIONLESS_PREFIXES):
            await self.app(scope, receive, send)
            return
        sent_cookie = request_cookie(scope, COOKIE_NAME)
        data = open_signed_cookie(self.serializer, sent_cookie, SESSION_LIFETIME_SECONDS) or {}
        opened_as = fingerprint(data)
        session: dict[str, Any] = data
        scope["session"] = session
        token = CURRENT_SESSION.set(session)
        refused = False

        async def send_with_cookie(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the original response, replaced by the error page
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Cookie")
                if fingerprint(session) != opened_as:
                    cookie = self.set_cookie_header(session, bool(sent_cookie))
                    if cookie is None:
                        refused = True
                        await self.refuse_oversized(scope, receive, send, session)
                        return
                    if cookie:
                        headers.append("Set-Cookie", cookie)
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            CURRENT_SESSION.reset(token)

    def set_cookie_header(self, session: dict[str, Any], had_cookie: bool) -> str | None:
        """The `Set-Cookie` value for `session` ("" when there is nothing to send), or None
        when the cookie would be too large for browsers."""
        if not session:
            if not had_cookie:
                return ""
            return (
                f"{COOKIE_NAME}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0{self.attributes}"
            )
        value = self.serializer.dumps(session)
        if oversized_cookie_failure(COOKIE_NAME, value) is not None:
            return None
        return f"{COOKIE_NAME}={value}{self.attributes}"

    async def refuse_oversized(
        self, scope: Scope, receive: Receive, send: Send, session: dict[str, Any]
    ) -> None:
        """The 507 page instead of a cookie browsers would drop; the browser keeps its old one."""
        failure = oversized_cookie_failure(COOKIE_NAME, self.serializer.dumps(session))
        assert failure is not None
        logger.error("%s; choose a server-side session backend", failure.log_detail)
        await respond_with_failure(scope, receive, send, failure, hide_user=True)


def configure_sessions(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(CookieSessions, settings=settings)
    app.state.cookie_serializer = cookie_serializer(settings.secret_key)


def opened_session(app: FastAPI, cookie: str) -> dict[str, Any]:
    """What session cookie `cookie` opens for `app`, outside a request (for tests, tools)."""
    serializer = app.state.cookie_serializer
    return open_signed_cookie(serializer, cookie, SESSION_LIFETIME_SECONDS) or {}


def regenerate_session_id() -> None:
    """A signed cookie has no server-side id that could be fixed: nothing to renew."""


async def session_store_problem(app: FastAPI) -> str | None:
    """Readiness (`/readyz`): a signed cookie has no store to reach, so never a problem."""
    return None

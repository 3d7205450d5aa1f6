"""Server-side sessions for FastAPI: server_side.py's records, read and written by an ASGI
middleware on threads of its own (STORE_THREADS): the event loop never waits on the store, and
a store that hangs holds up neither the loop nor the executor other work uses. A signed-out
visitor's session is in the signed cookie (signed_cookie.py: every framework's format).

The middleware opens the session before any route runs (`request.session`, and the sign-in
flow's `session`: request_session.py); a load that failed is the 503 page, no route run. When
the response starts, the session is written if it changed or its id was renewed; a write that
failed makes the response the same 503 page. The store is closed when the server stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any, TypeVar

from fastapi import FastAPI
from itsdangerous import URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..auth.failures import SESSIONS_UNAVAILABLE
from ..auth.session_storage import holds_sign_in
from ..settings import SESSION_LIFETIME_SECONDS, Settings
from ..web.error_pages import respond_with_failure
from . import SessionStoreError
from .request_session import CURRENT_SESSION, RequestSession
from .server_side import (
    SID_RE,
    LogtoSessionReader,
    SessionStore,
    SignInReader,
    StoredSession,
    needs_write,
    open_stored,
    raise_load_error,
    read_signed_cookie,
    regenerate,
    send_cookie,
    write_back,
)
from .signed_cookie import cookie_serializer, request_cookie
from .store import open_store
from .store_check import store_problem

__all__ = [
    "COOKIE_NAME",
    "configure_sessions",
    "opened_session",
    "regenerate_session_id",
    "session_store_problem",
]

T = TypeVar("T")
COOKIE_NAME = "session"
#: Paths served without a session: no cookie is read, so no store is asked.
SESSIONLESS_PREFIXES = ("/static/",)
#: Answers a request whose session could not be read or saved (the 503 page).
Responder = Callable[[Scope, Receive, Send], Awaitable[None]]

STORE_THREADS = 16  # store calls of one process at once; more wait their turn in the loop
_threads = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="session-store")


async def in_store_thread(call: Callable[..., T], *args: Any) -> T:
    """A blocking store call on the store's own threads (also for back-channel logout)."""
    return await asyncio.get_running_loop().run_in_executor(_threads, call, *args)


class ServerSideSession(StoredSession):
    """A request's session (`request.session`). A `permanent` one's cookie outlives the
    browser session; kept in the data as `_permanent`, as every framework's layout keeps it."""

    @property
    def permanent(self) -> bool:
        return bool(dict.get(self, "_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)


async def sessions_unavailable(scope: Scope, receive: Receive, send: Send) -> None:
    await respond_with_failure(scope, receive, send, SESSIONS_UNAVAILABLE, hide_user=True)


class StoredSessionInterface:
    """The app's sessions (`app.state.session_interface`): the store, the signed cookie of a
    signed-out visitor, the cookie's attributes (HttpOnly, SameSite=Lax, Secure on https)."""

    #: Set by back-channel logout: binds each new signed-in session to its Logto session.
    logto_session_of: LogtoSessionReader | None = None
    #: Paths served without a session (and those under SESSIONLESS_PREFIXES): the health
    #: checks' (web/health.py), and Logto's back-channel logout where the project has it.
    sessionless_paths: frozenset[str] = frozenset({"/healthz", "/readyz"})

    def __init__(
        self,
        store: SessionStore,
        serializer: URLSafeTimedSerializer,
        *,
        secure: bool = False,
        holds_sign_in: SignInReader = holds_sign_in,
        ttl_seconds: int = SESSION_LIFETIME_SECONDS,
        unavailable: Responder = sessions_unavailable,
    ) -> None:
        self.store, self.serializer, self.secure = store, serializer, secure
        self.holds_sign_in, self.ttl_seconds = holds_sign_in, ttl_seconds
        self.unavailable = unavailable

    def is_sessionless(self, path: str) -> bool:
        return path in self.sessionless_paths or path.startswith(SESSIONLESS_PREFIXES)

    def open_signed(self, value: str) -> dict[str, Any] | None:
        return read_signed_cookie(self.serializer, value, self.ttl_seconds)

    def opened(self, cookie: str) -> ServerSideSession:
        """The session `cookie` names (blocking: a store call when it holds an id)."""
        return open_stored(
            self.store, cookie, ServerSideSession, self.holds_sign_in, self.open_signed
        )

    async def open(self, cookie: str) -> ServerSideSession:
        if not SID_RE.fullmatch(cookie):  # no store call: no thread
            return self.opened(cookie)
        return await in_store_thread(self.opened, cookie)

    async def save(self, session: ServerSideSession, headers: MutableHeaders) -> None:
        """Write `session` back if it must be, and set its cookie in the response's `headers`;
        raises `SessionStoreError` when the store fails."""
        if session.accessed:
            add_vary(headers, "Cookie")
        if not needs_write(session, session.modified):
            return
        saved = (self.store, session, self.ttl_seconds, self.holds_sign_in)
        if session.new and session.previous_sid is None and not self.holds_sign_in(session):
            cookie = write_back(*saved)  # a signed-out visitor's: no store call, no thread
        else:
            cookie = await in_store_thread(write_back, *saved, self.logto_session_of)
        send_cookie(self, None, ResponseCookies(headers), session, cookie, self.serializer.dumps)

    # What send_cookie (server_side.py) asks a framework's session interface.

    def get_cookie_name(self, app: object) -> str:
        return COOKIE_NAME

    def get_cookie_domain(self, app: object) -> str | None:
        return None

    def get_cookie_path(self, app: object) -> str:
        return "/"

    def get_cookie_secure(self, app: object) -> bool:
        return self.secure

    def get_cookie_httponly(self, app: object) -> bool:
        return True

    def get_cookie_samesite(self, app: object) -> str:
        return "Lax"

    def get_cookie_partitioned(self, app: object) -> bool:
        return False

    def get_expiration_time(self, app: object, session: ServerSideSession) -> datetime | None:
        """None (the cookie ends with the browser session) unless the session is permanent."""
        if not session.permanent:
            return None
        return datetime.now(UTC) + timedelta(seconds=self.ttl_seconds)


def add_vary(headers: MutableHeaders, name: str) -> None:
    """`Vary: <name>`, once."""
    named = [part.strip().lower() for part in headers.get("vary", "").split(",")]
    if name.lower() not in named:
        headers.add_vary_header(name)


class ResponseCookies:
    """A starting response's headers, with what send_cookie (server_side.py) calls on a
    framework's response: `vary.add`, `set_cookie`, `delete_cookie`."""

    def __init__(self, headers: MutableHeaders) -> None:
        self.headers = headers
        self.vary = SimpleNamespace(add=lambda name: add_vary(headers, name))

    def set_cookie(
        self, name: str, value: str, *, expires: datetime | None = None, **options: Any
    ) -> None:
        expiry = None if expires is None else format_datetime(expires, usegmt=True)
        self.headers.append("Set-Cookie", cookie_header(name, value, expiry, None, **options))

    def delete_cookie(self, name: str, **options: Any) -> None:
        expired = "Thu, 01 Jan 1970 00:00:00 GMT"
        self.headers.append("Set-Cookie", cookie_header(name, "", expired, 0, **options))


def cookie_header(
    name: str,
    value: str,
    expires: str | None,
    max_age: int | None,
    *,
    domain: str | None,
    path: str,
    secure: bool,
    httponly: bool,
    samesite: str | None,
    partitioned: bool,
) -> str:
    """A `Set-Cookie` value, its attributes in the usual order."""
    parts = [f"{name}={value}"]
    parts += [f"Domain={domain}"] if domain else []
    parts += [f"Expires={expires}"] if expires is not None else []
    parts += [f"Max-Age={max_age}"] if max_age is not None else []
    parts += ["Secure"] if secure else []
    parts += ["HttpOnly"] if httponly else []
    parts += [f"Path={path}"]
    parts += [f"SameSite={samesite}"] if samesite else []
    parts += ["Partitioned"] if partitioned else []
    return "; ".join(parts)


class StoredSessions:
    """ASGI middleware: each request's session, opened up front and saved as the response
    starts."""

    def __init__(self, app: ASGIApp, interface: StoredSessionInterface) -> None:
        self.app, self.interface = app, interface

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session: dict[str, Any]
        if self.interface.is_sessionless(scope["path"]):
            session = {}  # a new, empty session that is never saved
        else:
            session = await self.interface.open(request_cookie(scope, COOKIE_NAME))
        scope["session"] = session
        token = CURRENT_SESSION.set(session)
        try:
            if not isinstance(session, ServerSideSession):
                await self.app(scope, receive, send)
            elif session.load_error is not None:
                await self.interface.unavailable(scope, receive, send)
            else:
                await self.app(scope, receive, self.saving(scope, receive, send, session))
        finally:
            CURRENT_SESSION.reset(token)

    def saving(
        self, scope: Scope, receive: Receive, send: Send, session: ServerSideSession
    ) -> Send:
        """`send`, saving the session as the response starts; a failed save sends the 503
        page instead of the response."""
        replaced = False

        async def send_saved(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the original response, replaced by the error page
            if message["type"] == "http.response.start":
                try:
                    await self.interface.save(session, MutableHeaders(scope=message))
                except SessionStoreError:
                    replaced = True
                    await self.interface.unavailable(scope, receive, send)
                    return
            await send(message)

        return send_saved


def install(
    app: FastAPI,
    store: SessionStore,
    secret_key: str,
    *,
    secure: bool = False,
    holds_sign_in: SignInReader = holds_sign_in,
    unavailable: Responder = sessions_unavailable,
) -> StoredSessionInterface:
    """Use `store` for `app`'s signed-in sessions (`holds_sign_in` tells them apart), a
    cookie signed with `secret_key` for the others; the store is closed when the server
    stops. `unavailable` answers when the store fails (the 503 page)."""
    interface = StoredSessionInterface(
        store,
        cookie_serializer(secret_key),
        secure=secure,
        holds_sign_in=holds_sign_in,
        unavailable=unavailable,
    )
    app.state.session_interface = interface
    app.add_middleware(StoredSessions, interface=interface)
    serve = app.router.lifespan_context  # the app's own lifespan, kept

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        try:
            async with serve(app) as state:
                yield state
        finally:
            await in_store_thread(store.close)

    app.router.lifespan_context = lifespan
    return interface


def stored_sessions(app: FastAPI) -> StoredSessionInterface:
    interface = getattr(app.state, "session_interface", None)
    if not isinstance(interface, StoredSessionInterface):
        raise TypeError("this app keeps no server-side sessions (configure_sessions)")
    return interface


def configure_sessions(app: FastAPI, settings: Settings) -> None:
    """This backend's store, checked at start, behind the sessions middleware."""
    install(app, open_store(settings), settings.secret_key, secure=settings.uses_https)


def opened_session(app: FastAPI, cookie: str) -> dict[str, Any]:
    """What session cookie `cookie` opens for `app`, outside a request (for tests, tools):
    blocking, and raising `SessionStoreError` when the store fails."""
    session = stored_sessions(app).opened(cookie)
    raise_load_error(session)
    return dict(session)


async def session_store_problem(app: FastAPI) -> str | None:
    """Readiness (`/readyz`): None when the session store answers, else one line saying what
    is down (store_check.py), asked on the store's own threads."""
    return await in_store_thread(store_problem, stored_sessions(app).store)


def regenerate_session_id() -> None:
    """After sign-in, inside the request: new session id, old record deleted."""
    regenerate(RequestSession.current())

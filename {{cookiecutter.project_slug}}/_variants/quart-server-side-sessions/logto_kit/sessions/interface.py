"""Server-side sessions for Quart: server_side.py's records, read and written by Quart's
session interface on threads of its own (STORE_THREADS): the event loop never waits on the
store, and a store that hangs holds up neither the loop nor the executor other work uses. A
signed-out visitor's session is in Quart's own signed cookie format."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from itsdangerous import BadSignature, URLSafeTimedSerializer
from quart import Quart, session
from quart.sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin
from quart.wrappers import BaseRequestWebsocket, Response
from werkzeug.wrappers import Response as WerkzeugResponse

from ..auth.session_storage import holds_sign_in
from ..settings import SESSION_LIFETIME_SECONDS, Settings
from .server_side import (
    SID_RE,
    LogtoSessionReader,
    SessionStore,
    SignInReader,
    StoredSession,
    needs_write,
    open_stored,
    raise_load_error,
    regenerate,
    send_cookie,
    write_back,
)
from .store import open_store

__all__ = ["configure_sessions", "regenerate_session_id"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

STORE_THREADS = 16  # store calls of one process at once; more wait their turn in the loop
_threads = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="session-store")


async def _in_thread(call: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_threads, call, *args)


async def in_store_thread(call: Callable[..., T], *args: Any) -> T:
    """A blocking store call on the store's own threads (for back-channel logout)."""
    return await _in_thread(call, *args)


class QuartStoredSession(StoredSession, SessionMixin):
    pass


class StoredSessionInterface(SessionInterface):
    #: Set by back-channel logout: binds each new signed-in session to its Logto session.
    logto_session_of: LogtoSessionReader | None = None
    #: Paths served without a session (Logto's back-channel logout): no cookie is read.
    sessionless_paths: frozenset[str] = frozenset()

    def __init__(
        self,
        store: SessionStore,
        holds_sign_in: SignInReader = holds_sign_in,
        ttl_seconds: int = SESSION_LIFETIME_SECONDS,
    ) -> None:
        self.store, self.holds_sign_in, self.ttl_seconds = store, holds_sign_in, ttl_seconds

    async def open_session(self, app: Quart, request: BaseRequestWebsocket) -> QuartStoredSession:
        cookie = request.cookies.get(self.get_cookie_name(app), "")
        if request.path in self.sessionless_paths:
            cookie = ""  # a new, empty session that is never saved

        def open_signed(value: str) -> dict[str, Any] | None:
            try:
                data = _signer(app).loads(value, max_age=self.ttl_seconds)
            except BadSignature:
                return None
            return data if isinstance(data, dict) else None

        opened = (self.store, cookie, QuartStoredSession, self.holds_sign_in, open_signed)
        if not SID_RE.fullmatch(cookie):  # no store call: no thread
            return open_stored(*opened)
        return await _in_thread(open_stored, *opened)

    async def save_session(
        self, app: Quart, session: SessionMixin, response: Response | WerkzeugResponse | None
    ) -> None:
        if not isinstance(session, StoredSession) or session.load_error is not None:
            return
        accessed = session.accessed  # read first: the checks below read the session too
        cookie_wanted = self.should_set_cookie(app, session)
        if response is None:  # a websocket: no cookie can be set
            if cookie_wanted or session.regenerate_requested:
                logger.error("session changed in a websocket handler; the change is lost")
            return
        if accessed:
            response.vary.add("Cookie")
        if needs_write(session, cookie_wanted):
            saved = (self.store, session, self.ttl_seconds, self.holds_sign_in)
            if session.new and session.previous_sid is None and not self.holds_sign_in(session):
                cookie = write_back(*saved)  # a signed-out visitor's: no store call, no thread
            else:
                cookie = await _in_thread(write_back, *saved, self.logto_session_of)
            send_cookie(self, app, response, session, cookie, _signer(app).dumps)


def _signer(app: Quart) -> URLSafeTimedSerializer:
    """Quart's own signing of cookie sessions (SECRET_KEY, its salt and JSON tags)."""
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    if signer is None:
        raise RuntimeError("server-side sessions need the app's SECRET_KEY")
    return signer


def install(
    app: Quart, store: SessionStore, holds_sign_in: SignInReader = holds_sign_in
) -> StoredSessionInterface:
    """Use `store` for `app`'s signed-in sessions (`holds_sign_in` tells them apart); it is
    closed when the server stops."""
    interface = StoredSessionInterface(store, holds_sign_in)
    app.session_interface = interface  # type: ignore[assignment]  # Quart's annotation is narrow

    @app.before_request
    async def surface_load_error() -> None:
        raise_load_error(session)

    @app.after_serving
    async def close_store() -> None:
        await _in_thread(store.close)

    return interface


def configure_sessions(app: Quart, settings: Settings) -> None:
    """This backend's store, checked at start, behind Quart's session interface."""
    install(app, open_store(settings))


def regenerate_session_id() -> None:
    """After sign-in, inside the request: new session id, old record deleted."""
    regenerate(session)

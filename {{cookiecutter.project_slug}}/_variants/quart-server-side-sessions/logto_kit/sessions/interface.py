"""Server-side sessions for Quart: server_side.py's records, read and written by Quart's
session interface on threads of its own (STORE_THREADS): the event loop never waits on the
store, and a store that hangs holds up neither the loop nor the executor other work uses. A
signed-out visitor's session is in Quart's own signed cookie format.

A session is written by an after-request hook that runs after the app's own (Quart's
`save_session` then finds nothing left to write): a store that fails there makes the response
the app's 503 page, in the development server's debug mode as in production. Raised from
`save_session`, the error would be past the error handlers: debug mode would show a traceback,
and production a 500 made into the 503 page with a traceback in the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from itsdangerous import URLSafeTimedSerializer
from quart import Quart, session
from quart.globals import request_ctx
from quart.sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin
from quart.typing import ResponseTypes
from quart.wrappers import BaseRequestWebsocket, Response
from werkzeug.wrappers import Response as WerkzeugResponse

from ..auth.session_storage import holds_sign_in
from ..settings import SESSION_LIFETIME_SECONDS, Settings
from . import SessionStoreError
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
from .store import open_store
from .store_check import store_problem

__all__ = ["configure_sessions", "regenerate_session_id", "session_store_problem"]

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
    #: Paths served without a session: no cookie is read, so no store is asked. The health
    #: checks' (web/health.py), and Logto's back-channel logout where the project has it.
    sessionless_paths: frozenset[str] = frozenset({"/healthz", "/readyz"})

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
            return read_signed_cookie(_signer(app), value, self.ttl_seconds)

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

    @app.after_request  # registered early: it runs after the app's own hooks (init_app)
    async def write_session(response: ResponseTypes) -> ResponseTypes:
        current = request_ctx.session  # not the proxy: the store's threads have no context
        if current is None:
            return response
        try:
            await interface.save_session(app, current, response)
        except SessionStoreError as error:  # the page a failed load gets: the error handler's
            page = await app.handle_user_exception(error)
            return await app.make_response(page)
        return response

    @app.after_serving
    async def close_store() -> None:
        await _in_thread(store.close)

    return interface


async def session_store_problem(app: Quart) -> str | None:
    """Readiness (`/readyz`): None when the session store answers, else one line saying what
    is down (store_check.py), asked on the store's own threads."""
    interface = app.session_interface
    if not isinstance(interface, StoredSessionInterface):
        return None
    return await _in_thread(store_problem, interface.store)


def configure_sessions(app: Quart, settings: Settings) -> None:
    """This backend's store, checked at start, behind Quart's session interface."""
    install(app, open_store(settings))


def regenerate_session_id() -> None:
    """After sign-in, inside the request: new session id, old record deleted."""
    regenerate(session)

"""Server-side sessions for Quart: server_side.py's records, read and written by Quart's
session interface on threads of its own (STORE_THREADS): the event loop never waits on the
store, and a store that hangs holds up neither the loop nor the executor other work uses."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from quart import Quart, session
from quart.sessions import SessionInterface, SessionMixin
from quart.wrappers import BaseRequestWebsocket, Response
from werkzeug.wrappers import Response as WerkzeugResponse

from ..settings import SESSION_LIFETIME_SECONDS, Settings
from .server_side import (
    LogtoSessionReader,
    SessionStore,
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

    def __init__(self, store: SessionStore, ttl_seconds: int = SESSION_LIFETIME_SECONDS) -> None:
        self.store, self.ttl_seconds = store, ttl_seconds

    async def open_session(self, app: Quart, request: BaseRequestWebsocket) -> QuartStoredSession:
        cookie = request.cookies.get(self.get_cookie_name(app), "")
        if request.path in self.sessionless_paths:
            cookie = ""  # a new, empty session that is never saved
        return await _in_thread(open_stored, self.store, cookie, QuartStoredSession)

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
            cookie = await _in_thread(
                write_back, self.store, session, self.ttl_seconds, self.logto_session_of
            )
            send_cookie(self, app, response, session, cookie)


def install(app: Quart, store: SessionStore) -> StoredSessionInterface:
    """Use `store` for `app`'s sessions; it is closed when the server stops."""
    interface = StoredSessionInterface(store)
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

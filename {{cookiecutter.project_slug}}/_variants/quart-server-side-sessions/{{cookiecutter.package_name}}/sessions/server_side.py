"""Server-side sessions for Quart: the cookie holds only a random id, the data sits in a store.

quart-session covers only Redis and cannot renew the id, so this one small interface serves
Redis, SQL and files alike. The id is renewed after sign-in (no session fixation), an id the
client made up is never adopted, and a request reads the store at most once and writes to
it at most once (only when the session changed). Sign-out deletes the record.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from quart import Quart, session
from quart.sessions import SessionInterface, SessionMixin
from quart.wrappers import BaseRequestWebsocket, Response
from werkzeug.datastructures import CallbackDict
from werkzeug.wrappers import Response as WerkzeugResponse

from ..settings import SESSION_LIFETIME_SECONDS

logger = logging.getLogger(__name__)
SID_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes
T = TypeVar("T")


class SessionStore(Protocol):
    address: str  # where the data lives, password masked: for logs

    async def load(self, sid: str) -> dict[str, Any] | None: ...
    async def save(self, sid: str, data: dict[str, Any], ttl_seconds: int) -> None: ...
    async def delete(self, sid: str) -> None: ...
    async def check(self) -> None: ...  # raises when the store cannot be reached
    async def close(self) -> None: ...


class BlockingStore(ABC):
    """A `SessionStore` over blocking I/O (files, a SQL driver): every call runs in a worker
    thread, never on the event loop, and every `PURGE_EVERY_N_SAVES`-th save also removes
    expired records. Subclasses write the blocking `_load`, `_save`, `_delete`, `_check` and
    `_close`."""

    PURGE_EVERY_N_SAVES = 100
    address: str  # where the store is, for messages (secrets masked)

    def __init__(self) -> None:
        self._saves = 0

    @abstractmethod
    def _load(self, sid: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def _save(self, sid: str, data: dict[str, Any], ttl_seconds: int, purge: bool) -> None: ...

    @abstractmethod
    def _delete(self, sid: str) -> None: ...

    @abstractmethod
    def _check(self) -> None: ...

    @abstractmethod
    def _close(self) -> None:
        """Release what is held open between requests (a connection pool)."""

    async def load(self, sid: str) -> dict[str, Any] | None:
        return await asyncio.to_thread(self._load, sid)

    async def save(self, sid: str, data: dict[str, Any], ttl_seconds: int) -> None:
        self._saves += 1
        purge = self._saves % self.PURGE_EVERY_N_SAVES == 0
        await asyncio.to_thread(self._save, sid, data, ttl_seconds, purge)

    async def delete(self, sid: str) -> None:
        await asyncio.to_thread(self._delete, sid)

    async def check(self) -> None:
        await asyncio.to_thread(self._check)

    async def close(self) -> None:
        await asyncio.to_thread(self._close)


def new_sid() -> str:
    return secrets.token_urlsafe(32)


class ServerSideSession(CallbackDict[str, Any], SessionMixin):
    """Tracks `modified` and `accessed` itself: Quart sets neither (Flask's context does)."""

    def __init__(self, initial: dict[str, Any] | None = None, *, sid: str, new: bool) -> None:
        def on_update(self: ServerSideSession) -> None:
            self.modified = self.accessed = True

        super().__init__(initial, on_update)
        self.sid, self.new, self.modified, self.accessed = sid, new, False, False
        self.regenerate_requested = False
        self.previous_sid: str | None = None  # the stored record to delete on regeneration
        self.load_error: Exception | None = None
        self.save_attempted = False

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)


def regenerate(session: SessionMixin) -> None:
    """Give this request's session a new id; the old record is deleted when it is saved."""
    if not isinstance(session, ServerSideSession):
        raise TypeError(f"not a server-side session: {type(session).__name__}")
    if not session.new and session.previous_sid is None:
        session.previous_sid = session.sid
    session.sid, session.regenerate_requested = new_sid(), True


def regenerate_session_id() -> None:
    """After sign-in, inside the request: new session id, old server-side record deleted."""
    regenerate(session)


class ServerSideSessionInterface(SessionInterface):
    """Quart's interface: `open_session` reads the store, `save_session` writes it."""

    def __init__(self, store: SessionStore, ttl_seconds: int = SESSION_LIFETIME_SECONDS) -> None:
        self.store, self.ttl_seconds = store, ttl_seconds

    async def _call(self, action: str, call: Awaitable[T]) -> T:
        try:
            return await call
        except Exception as error:
            logger.error("session store at %s: %s failed: %s", self.store.address, action, error)
            raise

    async def open_session(self, app: Quart, request: BaseRequestWebsocket) -> ServerSideSession:
        sid = request.cookies.get(self.get_cookie_name(app), "")
        if not SID_RE.fullmatch(sid):
            return ServerSideSession(sid=new_sid(), new=True)
        try:
            data = await self._call("load", self.store.load(sid))
        except Exception as error:  # Quart would answer a bare 500 from here: raise it later
            failed = ServerSideSession(sid=new_sid(), new=True)
            failed.load_error = error
            return failed
        if data is None:  # unknown or expired: a new id, never the one the client sent
            return ServerSideSession(sid=new_sid(), new=True)
        return ServerSideSession(data, sid=sid, new=False)

    async def raise_load_error(self) -> None:
        """A before_request hook: a failed load surfaces where the app's error pages see it."""
        if isinstance(session, ServerSideSession) and session.load_error is not None:
            raise session.load_error

    async def save_session(
        self, app: Quart, session: SessionMixin, response: Response | WerkzeugResponse | None
    ) -> None:
        if not isinstance(session, ServerSideSession) or session.load_error is not None:
            return
        accessed = session.accessed  # read first: the checks below read the session too
        changed = session.regenerate_requested or self.should_set_cookie(app, session)
        if response is None:  # a websocket: no cookie can be set
            if changed:
                logger.error("session changed in a websocket handler; the change is lost")
            return
        if accessed:
            response.vary.add("Cookie")
        if not changed or session.save_attempted:  # a failed save's error page: not twice
            return
        session.save_attempted = True
        response.vary.add("Cookie")
        name, options = self.get_cookie_name(app), self.cookie_options(app)
        if session.previous_sid is not None:
            await self._call("delete", self.store.delete(session.previous_sid))
        if not session:  # emptied (signed out): delete the record, not just its contents
            if not session.new and not session.regenerate_requested:
                await self._call("delete", self.store.delete(session.sid))
            response.delete_cookie(name, **options)
            return
        await self._call("save", self.store.save(session.sid, dict(session), self.ttl_seconds))
        expires = self.get_expiration_time(app, session)  # None: ends with the browser session
        response.set_cookie(name, session.sid, expires=expires, **options)

    def cookie_options(self, app: Quart) -> dict[str, Any]:
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
            "partitioned": self.get_cookie_partitioned(app),
        }


def install(app: Quart, store: SessionStore) -> ServerSideSessionInterface:
    """Use `store` for `app`'s sessions; it is closed when the server stops."""
    interface = ServerSideSessionInterface(store)
    app.session_interface = interface  # type: ignore[assignment]  # Quart's annotation is narrow
    app.before_request(interface.raise_load_error)
    app.after_serving(store.close)
    return interface


def check_now(store: SessionStore) -> None:
    """From sync start-up code: raise what `store.check()` raises (own thread and loop)."""

    async def check_then_close() -> None:
        try:
            await store.check()
        finally:
            await store.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, check_then_close()).result()

"""Server-side sessions: the cookie holds only a random id, the data sits in a store.

Only a signed-in user's session is stored. A signed-out visitor's session (a sign-in under
way, a CSRF token, a flashed message) stays in the cookie, signed with SECRET_KEY as the
framework's own cookie sessions are, and never reaches the store: anonymous requests, however
many, cannot fill it. Its pending sign-ins are few and short-lived (auth/pending_sign_ins.py).
A stored session that no longer holds a sign-in (signed out, then a message flashed) leaves
the store for the cookie the same way.

One layout whatever web framework serves the app (the same Redis keys, SQL table and
files), so a project generated again with another framework keeps its users signed in. This
module decides what a request reads and writes; the framework's `interface.py` only adapts
it. The id is renewed after sign-in (no session
fixation), an id the client made up is never adopted, a malformed one never reaches the store,
and a request reads the store at most once and writes it at most once (only when the session
changed). Sign-out deletes the record.

With back-channel logout, each signed-in session is also bound to the Logto session it came
from (its `sid` and user `sub`, read from the ID token when the session is first written
under its new id after sign-in), so a logout token from Logto can end exactly those sessions;
the binding costs one store write per sign-in and nothing on other requests.

A store that fails raises `SessionStoreError` (the app's 503 page), logged with its address and
cause; a store that was down (at start or later) is made ready again on the next request, so
the app recovers by itself.
"""

from __future__ import annotations

import enum
import logging
import re
import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from itsdangerous import BadSignature, URLSafeTimedSerializer

from . import SessionStoreError

logger = logging.getLogger(__name__)
SID_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes
COOKIE_LIMIT_BYTES = 4093  # name + "=" + value, the most every major browser keeps
T = TypeVar("T")


def new_sid() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class LogtoSession:
    """The Logto session a stored session was signed in through: Logto's `sid` for this app
    (in ID tokens once the app is registered with backchannelLogoutSessionRequired) and the
    user's `sub`."""

    sid: str | None
    sub: str


#: Reads the Logto session out of a session's data (None: not signed in).
LogtoSessionReader = Callable[[Mapping[str, Any]], LogtoSession | None]
#: Whether a session's data holds a signed-in user: only such a session is stored.
SignInReader = Callable[[Mapping[str, Any]], bool]
#: Opens a signed-out visitor's signed cookie: its data, or None (forged, expired, not one).
SignedCookieReader = Callable[[str], dict[str, Any] | None]


class SessionStore(ABC):
    """One backend's records: a session's data as JSON under its id, kept `ttl_seconds`.

    Calls block: the session interface (interface.py) makes them off the event loop. Every
    PURGE_EVERY_N_SAVES-th save also removes expired records (where the store keeps them).
    `prepare` runs before the first call, and again after any call failed."""

    PURGE_EVERY_N_SAVES = 100
    #: After a failed `prepare`, calls fail at once with its error for this long: while the
    #: store is down, concurrent requests wait for one check, not one check each in turn.
    RETRY_AFTER_SECONDS = 1.0
    address: str  # where the records are, password masked: for logs
    fix: str  # what to do when it does not answer, e.g. "start it (redis-server) or set ..."

    def __init__(self) -> None:
        self._saves = 0
        self._ready = False
        self._ready_lock = threading.Lock()
        self._failure: tuple[float, Exception] | None = None  # when `prepare` last failed, why

    def ensure_ready(self) -> None:
        if self._ready:
            return
        with self._ready_lock:  # one thread prepares; the others wait for its outcome
            if self._ready:
                return
            if self._failure is not None:
                failed_at, error = self._failure
                if time.monotonic() - failed_at < self.RETRY_AFTER_SECONDS:
                    raise error
            try:
                self.prepare()
            except Exception as error:
                self._failure = (time.monotonic(), error)
                raise
            self._ready, self._failure = True, None

    def not_ready(self) -> None:
        """After a failure: prepare again before the next call (a table, a folder may be gone)."""
        self._ready = False

    def save(self, sid: str, data: dict[str, Any], ttl_seconds: int) -> None:
        self._saves += 1
        self._write(sid, data, ttl_seconds, purge=self._saves % self.PURGE_EVERY_N_SAVES == 0)

    @abstractmethod
    def load(self, sid: str) -> dict[str, Any] | None:
        """The record of `sid`, or None when there is none or it expired."""

    @abstractmethod
    def _write(self, sid: str, data: dict[str, Any], ttl_seconds: int, purge: bool) -> None: ...

    @abstractmethod
    def delete(self, sid: str) -> None: ...

    # Back-channel logout: the index from Logto sessions to the stored sessions they signed in,
    # and the logout tokens already used. Index records expire with the sessions they name.

    def bind(self, sid: str, logto_session: LogtoSession, ttl_seconds: int) -> None:
        """Note that session `sid` was signed in through `logto_session`."""
        raise NotImplementedError(f"{type(self).__name__} keeps no Logto sessions")

    def end_logto_session(self, logto_sid: str | None, sub: str | None) -> int:
        """Delete every session bound to Logto session `logto_sid`, or, when it is None,
        every session of user `sub`; returns how many records were bound."""
        raise NotImplementedError(f"{type(self).__name__} keeps no Logto sessions")

    def remember_logout_token(self, jti: str, until: int) -> bool:
        """Note logout token `jti` until `until` (epoch seconds); False if it is noted already
        (a replay). Atomic: of two requests with one `jti`, one gets True."""
        raise NotImplementedError(f"{type(self).__name__} keeps no logout tokens")

    def forget_logout_token(self, jti: str) -> None:
        """Undo `remember_logout_token` (its sessions could not be ended: Logto may resend)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no logout tokens")

    @abstractmethod
    def prepare(self) -> None:
        """Make the store ready (a table, a folder), or raise when it cannot be used."""

    @abstractmethod
    def ping(self) -> None:
        """The cheapest call that shows the store answers (raises when it does not)."""

    @abstractmethod
    def unreachable(self, error: BaseException) -> str:
        """One line: what does not answer, where (password masked) and why (`error`)."""

    @abstractmethod
    def close(self) -> None:
        """Release what is held open between requests (a connection pool)."""


class StoredSession(dict[str, Any]):
    """A session's data, noting whether it was read (`accessed`) or changed (`modified`),
    its id, and what its save must do. The session interface mixes in the framework's
    `SessionMixin`."""

    def __init__(self, initial: dict[str, Any] | None = None, *, sid: str, new: bool) -> None:
        super().__init__(initial or {})
        self.sid, self.new, self.modified, self.accessed = sid, new, False, False
        self.previous_sid: str | None = None  # the stored record to delete on regeneration
        self.regenerate_requested = False
        self.load_error: SessionStoreError | None = None
        self.save_attempted = False

    def _changed(self) -> None:
        self.modified = self.accessed = True

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed()

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._changed()
        return super().setdefault(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        """Popping a key that is not there changes nothing (as in the framework's own session:
        `get_flashed_messages` pops `_flashes` on every page)."""
        if super().__contains__(key):
            self._changed()
        else:
            self.accessed = True
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self._changed()
        return super().popitem()

    def clear(self) -> None:
        super().clear()
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._changed()


S = TypeVar("S", bound=StoredSession)


def read_signed_cookie(
    serializer: URLSafeTimedSerializer, value: str, max_age: int
) -> dict[str, Any] | None:
    """A signed-out visitor's session from its cookie, signed by `serializer` (the
    framework's own signing of cookie sessions): its data, or None when forged, signed with
    another key, older than `max_age` seconds, or not a session."""
    try:
        data = serializer.loads(value, max_age=max_age)
    except (BadSignature, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _logged(store: SessionStore, action: str, call: Callable[..., T], *args: Any) -> T:
    try:
        store.ensure_ready()
        return call(*args)
    except Exception as error:
        store.not_ready()
        logger.error("session store at %s: %s failed: %s", store.address, action, error)
        raise SessionStoreError(f"{action} failed at {store.address}: {error}") from error


def open_stored(
    store: SessionStore,
    cookie: str,
    session_class: type[S],
    holds_sign_in: SignInReader,
    open_signed: SignedCookieReader,
) -> S:
    """The session the cookie names, or a new one under a new id: with the data of a
    signed-out visitor's signed cookie (never a sign-in: those live in the store only), or
    empty. A failed load gives a new session holding the error: `raise_load_error` raises it
    where the app's error pages see it."""
    if not SID_RE.fullmatch(cookie):
        signed = open_signed(cookie) if cookie else None
        if signed is None or holds_sign_in(signed):
            return session_class(sid=new_sid(), new=True)
        return session_class(signed, sid=new_sid(), new=True)
    try:
        data = _logged(store, "load", store.load, cookie)
    except SessionStoreError as error:
        failed = session_class(sid=new_sid(), new=True)
        failed.load_error = error
        return failed
    if data is None:  # unknown or expired: a new id, never the one the client sent
        return session_class(sid=new_sid(), new=True)
    return session_class(data, sid=cookie, new=False)


def raise_load_error(session: object) -> None:
    """From a before-request hook: a failed load surfaces as `SessionStoreError`."""
    if isinstance(session, StoredSession) and session.load_error is not None:
        raise session.load_error


class Cookie(enum.Enum):
    """What the response does with the session cookie after `write_back`."""

    SET = "set"  # to the session's id
    SIGNED = "signed"  # to the session's data, signed: a signed-out visitor's session
    DELETE = "delete"


def needs_write(session: StoredSession, cookie_wanted: bool) -> bool:
    """Whether this request must write: the id was renewed, or the framework wants the cookie
    sent (`cookie_wanted`: its `should_set_cookie`); once a request, even if that failed."""
    return not session.save_attempted and (session.regenerate_requested or cookie_wanted)


def write_back(
    store: SessionStore,
    session: StoredSession,
    ttl_seconds: int,
    holds_sign_in: SignInReader,
    logto_session_of: LogtoSessionReader | None = None,
) -> Cookie:
    """Save a session that `needs_write`: delete the record a regeneration left; a session
    without a sign-in goes to the cookie (`Cookie.SIGNED`; or, emptied, the cookie is
    deleted) and its record, if it had one, is deleted; a signed-in one is written. With
    `logto_session_of` (back-channel logout), a session written under a new id is first bound
    to its Logto session: a failed binding fails the save, so no session goes unbound."""
    session.save_attempted = True  # a failed save's error page does not try again
    if session.previous_sid is not None:
        _logged(store, "delete", store.delete, session.previous_sid)
    data = dict(session)
    if not data or not holds_sign_in(data):
        if not session.new and not session.regenerate_requested:
            _logged(store, "delete", store.delete, session.sid)
        return Cookie.SIGNED if data else Cookie.DELETE
    bind_to = logto_session_of if session.regenerate_requested else None  # after sign-in
    if bind_to is not None and (logto_session := bind_to(data)) is not None:
        _logged(store, "bind", store.bind, session.sid, logto_session, ttl_seconds)
    _logged(store, "save", store.save, session.sid, data, ttl_seconds)
    return Cookie.SET


def end_logto_session(store: SessionStore, logto_sid: str | None, sub: str | None) -> int:
    """Back-channel logout: end the sessions bound to a Logto session (store.end_logto_session);
    raises `SessionStoreError` when the store fails."""
    return _logged(store, "end Logto session", store.end_logto_session, logto_sid, sub)


def remember_logout_token(store: SessionStore, jti: str, until: int) -> bool:
    return _logged(store, "remember logout token", store.remember_logout_token, jti, until)


def forget_logout_token(store: SessionStore, jti: str) -> None:
    _logged(store, "forget logout token", store.forget_logout_token, jti)


def send_cookie(
    interface: Any,
    app: Any,
    response: Any,
    session: StoredSession,
    cookie: Cookie,
    sign: Callable[[dict[str, Any]], str],
) -> None:
    """Set (to the session's id, or to its data signed by `sign`) or delete the session
    cookie on `response`, with the attributes of the app config, through the framework's own
    session interface and response methods. A signed-out visitor's session too large for a
    browser to keep is not sent (the browser keeps its previous cookie) and logged."""
    response.vary.add("Cookie")
    name, options = interface.get_cookie_name(app), _cookie_options(interface, app)
    if cookie is Cookie.DELETE:
        response.delete_cookie(name, **options)
        return
    value = session.sid if cookie is Cookie.SET else sign(dict(session))
    size = len(name) + 1 + len(value)
    if size > COOKIE_LIMIT_BYTES:
        logger.error(
            "a signed-out visitor's session would be a %d-byte cookie (browsers keep %d): "
            "not saved; keep less in the session before sign-in",
            size,
            COOKIE_LIMIT_BYTES,
        )
        return
    expires = interface.get_expiration_time(app, session)  # None: ends with the browser session
    response.set_cookie(name, value, expires=expires, **options)


def _cookie_options(interface: Any, app: Any) -> dict[str, Any]:
    return {
        "domain": interface.get_cookie_domain(app),
        "path": interface.get_cookie_path(app),
        "secure": interface.get_cookie_secure(app),
        "httponly": interface.get_cookie_httponly(app),
        "samesite": interface.get_cookie_samesite(app),
        "partitioned": interface.get_cookie_partitioned(app),
    }


def regenerate(session: object) -> None:
    """Give this request's session a new id; the old record is deleted when it is saved."""
    if not isinstance(session, StoredSession):
        raise TypeError(f"not a server-side session: {type(session).__name__}")
    if not session.new and session.previous_sid is None:
        session.previous_sid = session.sid
    session.sid, session.regenerate_requested = new_sid(), True

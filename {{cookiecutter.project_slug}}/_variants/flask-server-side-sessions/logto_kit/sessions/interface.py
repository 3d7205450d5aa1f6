"""Server-side sessions for Flask: server_side.py's records, read and written by Flask's
session interface in the request's thread."""

from __future__ import annotations

from flask import Flask, Request, Response, session
from flask.sessions import SessionInterface, SessionMixin

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


class FlaskStoredSession(StoredSession, SessionMixin):
    pass


class StoredSessionInterface(SessionInterface):
    #: Set by back-channel logout: binds each new signed-in session to its Logto session.
    logto_session_of: LogtoSessionReader | None = None
    #: Paths served without a session (Logto's back-channel logout): no cookie is read.
    sessionless_paths: frozenset[str] = frozenset()

    def __init__(self, store: SessionStore, ttl_seconds: int = SESSION_LIFETIME_SECONDS) -> None:
        self.store, self.ttl_seconds = store, ttl_seconds

    def open_session(self, app: Flask, request: Request) -> FlaskStoredSession:
        cookie = request.cookies.get(self.get_cookie_name(app), "")
        if request.path in self.sessionless_paths:
            cookie = ""  # a new, empty session that is never saved
        return open_stored(self.store, cookie, FlaskStoredSession)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, StoredSession) or session.load_error is not None:
            return
        if session.accessed:
            response.vary.add("Cookie")
        if needs_write(session, self.should_set_cookie(app, session)):
            cookie = write_back(self.store, session, self.ttl_seconds, self.logto_session_of)
            send_cookie(self, app, response, session, cookie)


def install(app: Flask, store: SessionStore) -> StoredSessionInterface:
    """Use `store` for `app`'s sessions."""
    interface = StoredSessionInterface(store)
    app.session_interface = interface

    @app.before_request
    def surface_load_error() -> None:
        raise_load_error(session)

    return interface


def configure_sessions(app: Flask, settings: Settings) -> None:
    """This backend's store, checked at start, behind Flask's session interface."""
    install(app, open_store(settings))


def regenerate_session_id() -> None:
    """After sign-in, inside the request: new session id, old record deleted."""
    regenerate(session)

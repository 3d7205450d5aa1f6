"""Server-side sessions for Flask: server_side.py's records, read and written by Flask's
session interface in the request's thread."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, session
from flask.sessions import SessionInterface, SessionMixin

from ..settings import SESSION_LIFETIME_SECONDS, Settings
from .server_side import (
    Cookie,
    SessionStore,
    StoredSession,
    open_stored,
    raise_load_error,
    regenerate,
    write_back,
)
from .store import open_store

__all__ = ["configure_sessions", "regenerate_session_id"]


class FlaskStoredSession(StoredSession, SessionMixin):
    pass


class StoredSessionInterface(SessionInterface):
    def __init__(self, store: SessionStore, ttl_seconds: int = SESSION_LIFETIME_SECONDS) -> None:
        self.store, self.ttl_seconds = store, ttl_seconds

    def open_session(self, app: Flask, request: Request) -> FlaskStoredSession:
        cookie = request.cookies.get(self.get_cookie_name(app), "")
        return open_stored(self.store, cookie, FlaskStoredSession)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, StoredSession) or session.load_error is not None:
            return
        accessed = session.accessed  # read first: the checks below read the session too
        if accessed:
            response.vary.add("Cookie")
        if session.save_attempted:  # a failed save's error page: not twice
            return
        if not (session.regenerate_requested or self.should_set_cookie(app, session)):
            return
        session.save_attempted = True
        response.vary.add("Cookie")
        name, options = self.get_cookie_name(app), cookie_options(self, app)
        if write_back(self.store, session, self.ttl_seconds) is Cookie.DELETE:
            response.delete_cookie(name, **options)
            return
        expires = self.get_expiration_time(app, session)  # None: ends with the browser session
        response.set_cookie(name, session.sid, expires=expires, **options)


def cookie_options(interface: SessionInterface, app: Flask) -> dict[str, Any]:
    return {
        "domain": interface.get_cookie_domain(app),
        "path": interface.get_cookie_path(app),
        "secure": interface.get_cookie_secure(app),
        "httponly": interface.get_cookie_httponly(app),
        "samesite": interface.get_cookie_samesite(app),
        "partitioned": interface.get_cookie_partitioned(app),
    }


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

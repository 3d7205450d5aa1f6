"""Server-side sessions for Flask: server_side.py's records, read and written by Flask's
session interface in the request's thread; a signed-out visitor's session in Flask's own
signed cookie format.

A session is written by an after-request hook that runs after the app's own (Flask's
`save_session` then finds nothing left to write): a store that fails there makes the response
the app's 503 page, in the development server's debug mode as in production. Raised from
`save_session`, the error would be past the error handlers: debug mode would show a traceback,
and production a 500 made into the 503 page with a traceback in the log."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, session
from flask.sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

from ..auth.session_storage import holds_sign_in
from ..settings import SESSION_LIFETIME_SECONDS, Settings
from . import SessionStoreError
from .server_side import (
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


class FlaskStoredSession(StoredSession, SessionMixin):
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

    def open_session(self, app: Flask, request: Request) -> FlaskStoredSession:
        cookie = request.cookies.get(self.get_cookie_name(app), "")
        if request.path in self.sessionless_paths:
            cookie = ""  # a new, empty session that is never saved

        def open_signed(value: str) -> dict[str, Any] | None:
            return read_signed_cookie(_signer(app), value, self.ttl_seconds)

        return open_stored(self.store, cookie, FlaskStoredSession, self.holds_sign_in, open_signed)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, StoredSession) or session.load_error is not None:
            return
        if session.accessed:
            response.vary.add("Cookie")
        if needs_write(session, self.should_set_cookie(app, session)):
            cookie = write_back(
                self.store, session, self.ttl_seconds, self.holds_sign_in, self.logto_session_of
            )
            send_cookie(self, app, response, session, cookie, _signer(app).dumps)


def _signer(app: Flask) -> URLSafeTimedSerializer:
    """Flask's own signing of cookie sessions (SECRET_KEY, its salt and JSON tags)."""
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    if signer is None:
        raise RuntimeError("server-side sessions need the app's SECRET_KEY")
    return signer


def install(
    app: Flask, store: SessionStore, holds_sign_in: SignInReader = holds_sign_in
) -> StoredSessionInterface:
    """Use `store` for `app`'s signed-in sessions (`holds_sign_in` tells them apart)."""
    interface = StoredSessionInterface(store, holds_sign_in)
    app.session_interface = interface

    @app.before_request
    def surface_load_error() -> None:
        raise_load_error(session)

    @app.after_request  # registered early: it runs after the app's own hooks (init_app)
    def write_session(response: Response) -> Response:
        try:
            interface.save_session(app, session, response)
        except SessionStoreError as error:  # the page a failed load gets: the error handler's
            return app.make_response(app.handle_user_exception(error))
        return response

    return interface


def session_store_problem(app: Flask) -> str | None:
    """Readiness (`/readyz`): None when the session store answers, else one line saying what
    is down (store_check.py)."""
    interface = app.session_interface
    return store_problem(interface.store) if isinstance(interface, StoredSessionInterface) else None


def configure_sessions(app: Flask, settings: Settings) -> None:
    """This backend's store, checked at start, behind Flask's session interface."""
    install(app, open_store(settings))


def regenerate_session_id() -> None:
    """After sign-in, inside the request: new session id, old record deleted."""
    regenerate(session)

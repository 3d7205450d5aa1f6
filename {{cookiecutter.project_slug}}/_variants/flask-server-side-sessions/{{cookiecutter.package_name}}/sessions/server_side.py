"""Server-side sessions through Flask-Session: the cookie holds only a random session id."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, session
from flask_session import Session
from flask_session.base import ServerSideSessionInterface


def install_flask_session(app: Flask, **config: Any) -> None:
    """Flask-Session with this backend's `config`. Records live as long as Logto's refresh
    token (PERMANENT_SESSION_LIFETIME), the cookie ends with the browser session, values are
    stored as JSON, and a record is written only when the session changed."""
    app.config.update(
        SESSION_PERMANENT=False,
        SESSION_REFRESH_EACH_REQUEST=False,  # else Flask-Session rewrites every request
        SESSION_KEY_PREFIX="session:",
        SESSION_SERIALIZATION_FORMAT="json",
        **config,
    )
    Session(app)  # type: ignore[no-untyped-call]  # Flask-Session 0.8 leaves Session() unannotated


def regenerate_session_id() -> None:
    """After sign-in: the session moves to a new id and the old record is deleted."""
    interface = current_app.session_interface
    assert isinstance(interface, ServerSideSessionInterface)
    interface.regenerate(session)  # type: ignore[arg-type]

"""Sessions in Flask's signed cookie (no server), refused loudly when too large to keep."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, render_template, session
from flask.sessions import SecureCookieSessionInterface

from ..settings import Settings
from .cookie_limit import oversized_session_failure

logger = logging.getLogger(__name__)


def configure_sessions(app: Flask, settings: Settings) -> None:
    app.session_interface = SecureCookieSessionInterface()  # the framework's own
    app.after_request(refuse_oversized_session)


def regenerate_session_id() -> None:
    """A signed cookie has no server-side id that could be fixed: nothing to renew."""


def session_store_problem(app: Flask) -> str | None:
    """Readiness (`/readyz`): a signed cookie has no store to reach, so never a problem."""
    return None


def refuse_oversized_session(response: Response) -> Response:
    """Runs before the session is saved: an oversized session is not saved, and said so."""
    failure = oversized_session_failure(current_app, session)
    if failure is None:
        return response
    logger.error("%s; choose a server-side session backend", failure.log_detail)
    session.modified = False  # keep the browser's previous cookie
    page = render_template(
        "logto/error.html", user=None, title=failure.title, message=failure.message
    )
    return current_app.make_response((page, failure.status))

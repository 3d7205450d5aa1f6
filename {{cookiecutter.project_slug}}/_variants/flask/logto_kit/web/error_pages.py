"""Every error as a page a person understands (never a 500 for what can be foreseen): a
`Failure` from the sign-in flow, a session store that failed, a refused form, a request
body over MAX_REQUEST_BYTES, a 404 ..."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError  # type: ignore[import-untyped]  # no py.typed
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..auth.failures import FORM_REFUSED, SESSIONS_UNAVAILABLE, Failure, request_too_large
from ..sessions import SessionStoreError
from .signed_in import request_user

Page = tuple[str, int]


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(Failure, failure_page)
    app.register_error_handler(SessionStoreError, sessions_unavailable)
    app.register_error_handler(CSRFError, form_refused)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(HTTPException, http_error_page)


def failure_page(failure: Failure) -> Page:
    """The page of a failure met while serving the request; shown as signed out when it was
    renewing the user's sign-in that failed."""
    seen = request_user()
    seen.showing_failure = seen.failed
    return error_page(failure)


def sessions_unavailable(error: SessionStoreError) -> Page:
    request_user().showing_failure = True  # the session cannot be read: show no user
    return error_page(SESSIONS_UNAVAILABLE)


def form_refused(error: CSRFError) -> Page:
    return error_page(FORM_REFUSED)


def too_large(error: RequestEntityTooLarge) -> Page:
    """A request body above MAX_REQUEST_BYTES (`MAX_CONTENT_LENGTH`), refused unread."""
    return error_page(request_too_large(current_app.config["MAX_CONTENT_LENGTH"]))


def http_error_page(error: HTTPException) -> Page:
    """The error page for a 404, 405, 400 ... (and a 503 when saving the session failed)."""
    if isinstance(getattr(error, "original_exception", None), SessionStoreError):
        return sessions_unavailable(error.original_exception)  # type: ignore[attr-defined]
    status = error.code or 500
    title, message = f"{status} {error.name}", error.description or ""
    return error_page(Failure(status, title, message, sign_in_again=False))


def error_page(failure: Failure) -> Page:
    context = {"title": failure.title, "message": failure.message}
    page = render_template("logto/error.html", sign_in_again=failure.sign_in_again, **context)
    return page, failure.status

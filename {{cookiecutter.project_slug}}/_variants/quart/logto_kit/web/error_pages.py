"""Every error as a page a person understands (never a 500 for what can be foreseen): a
`Failure` from the sign-in flow, a session store that failed, a refused form, a request
body over MAX_REQUEST_BYTES, a 404 ..."""

from __future__ import annotations

from quart import Quart, current_app, render_template
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..auth.failures import FORM_REFUSED, SESSIONS_UNAVAILABLE, Failure, request_too_large
from ..sessions import SessionStoreError
from .csrf import CsrfRefused
from .signed_in import request_user

Page = tuple[str, int]


def register_error_pages(app: Quart) -> None:
    app.register_error_handler(Failure, failure_page)
    app.register_error_handler(SessionStoreError, sessions_unavailable)
    app.register_error_handler(CsrfRefused, form_refused)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(HTTPException, http_error_page)


async def failure_page(failure: Failure) -> Page:
    """The page of a failure met while serving the request; shown as signed out when it was
    renewing the user's sign-in that failed."""
    seen = request_user()
    seen.showing_failure = seen.failed
    return await error_page(failure)


async def sessions_unavailable(error: SessionStoreError) -> Page:
    request_user().showing_failure = True  # the session cannot be read: show no user
    return await error_page(SESSIONS_UNAVAILABLE)


async def form_refused(error: CsrfRefused) -> Page:
    return await error_page(FORM_REFUSED)


async def too_large(error: RequestEntityTooLarge) -> Page:
    """A request body above MAX_REQUEST_BYTES (`MAX_CONTENT_LENGTH`), refused unread."""
    return await error_page(request_too_large(current_app.config["MAX_CONTENT_LENGTH"]))


async def http_error_page(error: HTTPException) -> Page:
    """The error page for a 404, 405, 400 ... (and a 503 when saving the session failed)."""
    if isinstance(getattr(error, "original_exception", None), SessionStoreError):
        return await sessions_unavailable(error.original_exception)  # type: ignore[attr-defined]
    status = error.code or 500
    title, message = f"{status} {error.name}", error.description or ""
    return await error_page(Failure(status, title, message, sign_in_again=False))


async def error_page(failure: Failure) -> Page:
    context = {"title": failure.title, "message": failure.message}
    page = await render_template("logto/error.html", sign_in_again=failure.sign_in_again, **context)
    return page, failure.status

"""Every error as a page a person understands (never a 500 for what can be foreseen): a
`Failure` from the sign-in flow, a session store that failed, a refused form, a request body
over MAX_REQUEST_BYTES, a 404, a malformed query ... The middlewares (sessions, CSRF, the
request limit) answer before any route runs, with the same page (`respond_with_failure`).

Paths that machines call answer their failures their own way: `answer_failures_under(app,
"/api/", answer)` (the protected API answers JSON)."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from ..auth.failures import SESSIONS_UNAVAILABLE, Failure, request_too_large
from ..sessions import SessionStoreError
from .signed_in import SignInRequired, request_user
from .templates import path_for

#: A failure's answer where a page is not wanted: a response made from the request and the
#: failure (its status, title and message).
FailureAnswer = Callable[[Request, Failure], Response]


class RequestTooLarge(HTTPException):
    """A chunked request body went past MAX_REQUEST_BYTES."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, request_too_large(limit).message)
        self.limit = limit


def register_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(Failure, failure_page)  # type: ignore[arg-type]
    app.add_exception_handler(SessionStoreError, sessions_unavailable)  # type: ignore[arg-type]
    app.add_exception_handler(SignInRequired, send_to_sign_in)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error_page)  # type: ignore[arg-type]
    app.add_exception_handler(RequestTooLarge, too_large)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, malformed_request)  # type: ignore[arg-type]


def answer_failures_under(app: FastAPI, prefix: str, answer: FailureAnswer) -> None:
    """Answer every failure under `prefix` (a path ending with `/`, which also covers the path
    without it) with `answer` instead of the error page: the routes' exceptions, the
    middlewares' refusals (a body over the limit, a session store down) and a 404 or 405."""
    app.state.failure_answers = {**getattr(app.state, "failure_answers", {}), prefix: answer}


def _answer_under(request: Request) -> FailureAnswer | None:
    path = request.scope["path"]
    answers: dict[str, FailureAnswer] = getattr(request.app.state, "failure_answers", {})
    for prefix, answer in answers.items():
        if path.startswith(prefix) or path == prefix.rstrip("/"):
            return answer
    return None


def failure_page(request: Request, failure: Failure) -> Response:
    """The page of a failure met while serving the request (shown as signed out when it was
    renewing the user's sign-in that failed)."""
    return error_response(request, failure)


def sessions_unavailable(request: Request, error: SessionStoreError) -> Response:
    return error_response(request, SESSIONS_UNAVAILABLE, hide_user=True)


def send_to_sign_in(request: Request, required: SignInRequired) -> Response:
    url = path_for(request, "logto.sign_in", next=required.next_path)
    return RedirectResponse(url, status_code=302)


def too_large(request: Request, error: RequestTooLarge) -> Response:
    """A chunked body that went past MAX_REQUEST_BYTES while a route read it."""
    return error_response(request, request_too_large(error.limit))


def http_error_page(request: Request, error: HTTPException) -> Response:
    """The error page for a 404, 405, 400 ... (with the headers the error carries)."""
    status = HTTPStatus(error.status_code)
    detail = error.detail if error.detail != status.phrase else status.description
    failure = Failure(status.value, f"{status.value} {status.phrase}", detail, sign_in_again=False)
    response = error_response(request, failure)
    response.headers.update(error.headers or {})
    return response


def malformed_request(request: Request, error: RequestValidationError) -> Response:
    """A query or form a route cannot take: a 400 page naming the first field at fault."""
    problems = error.errors()
    where = ".".join(str(part) for part in problems[0].get("loc", ())) if problems else ""
    message = f"The request's {where} is not valid." if where else "The request is not valid."
    failure = Failure(400, "400 Bad Request", message, sign_in_again=False)
    return error_response(request, failure)


def error_response(request: Request, failure: Failure, *, hide_user: bool = False) -> Response:
    answer = _answer_under(request)
    if answer is not None:
        return answer(request, failure)
    try:
        seen = request_user()
    except RuntimeError:  # served without looking at the visitor
        pass
    else:
        seen.showing_failure = hide_user or seen.failed
    context = {
        "title": failure.title,
        "message": failure.message,
        "sign_in_again": failure.sign_in_again,
    }
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "logto/error.html", context, status_code=failure.status
    )


async def respond_with_failure(
    scope: Scope, receive: Receive, send: Send, failure: Failure, *, hide_user: bool = False
) -> None:
    """For a middleware: answer with the page of `failure`, no route run."""
    response = error_response(Request(scope, receive), failure, hide_user=hide_user)
    await response(scope, receive, send)

"""What the API answers when it refuses a request, framework-free: each is (JSON body, status,
headers), which the routes (web/api.py) return as they are."""

from __future__ import annotations

from ..auth.failures import Failure, size_in_words
from .access_tokens import BearerError

PREFIX = "/api"
KEYS_RETRY_AFTER_SECONDS = "5"
Answer = tuple[dict[str, str], int, dict[str, str]]

#: The API access page's answer while Logto's signing keys cannot be fetched.
KEYS_UNAVAILABLE_PAGE = Failure(
    503,
    "Please try again",
    "Logto's signing keys could not be fetched. Please try again in a moment.",
    sign_in_again=False,
)


def refusal(error: BearerError, realm: str) -> Answer:
    """RFC 6750's answer: the error as JSON and in `WWW-Authenticate`."""
    return error.body(), error.status, {"WWW-Authenticate": error.www_authenticate(realm)}


def keys_unavailable_answer() -> Answer:
    """Logto's keys cannot be fetched now: try again (a 503, not a 401)."""
    body = {"error": "temporarily_unavailable", "error_description": "try again in a moment"}
    return body, 503, {"Retry-After": KEYS_RETRY_AFTER_SECONDS}


def is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(f"{PREFIX}/")


def no_such_route(status: int, allowed_methods: list[str] | None) -> Answer:
    """A 404 or 405 under /api/, as JSON (API clients read no HTML error page)."""
    body = {"error": "not_found" if status == 404 else "method_not_allowed"}
    headers = {"Cache-Control": "no-store"}
    if status == 405 and allowed_methods:
        headers["Allow"] = ", ".join(allowed_methods)
    return body, status, headers


def body_too_large(limit_bytes: int | None) -> Answer:
    """A request body above MAX_REQUEST_BYTES under /api/, as JSON (a 413, refused unread)."""
    most = f" of {size_in_words(limit_bytes)}" if limit_bytes else ""
    body = {
        "error": "request_too_large",
        "error_description": f"the request body is larger than this API's limit{most}",
    }
    return body, 413, {"Cache-Control": "no-store"}

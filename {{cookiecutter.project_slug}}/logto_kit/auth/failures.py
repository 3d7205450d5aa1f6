"""What went wrong, as a page a person understands (never a 500), and what to log."""

from __future__ import annotations

from dataclasses import dataclass

from jwt import PyJWKClientConnectionError, PyJWTError
from logto import LogtoException

from .logto_client import IdpUnavailable

SDK_MESSAGES = {
    "Sign-in session not found": (
        "This sign-in was not started here, or it has already been completed. "
        "Please sign in again from this site."
    ),
    "Invalid state in the callback URI": (
        "The sign-in answer does not match the sign-in you started (it may be stale, "
        "or from another tab). Please sign in again."
    ),
    "The URI path does not match the redirect URI in the sign-in session": (
        "The sign-in came back to an unexpected address. Please sign in again."
    ),
    "Code not found in the callback URI": (
        "The sign-in answer is incomplete. Please sign in again."
    ),
}


@dataclass
class Failure(Exception):
    """A request that cannot be completed: the status, title and message of its error page."""

    status: int
    title: str
    message: str
    log_detail: str = ""
    sign_in_again: bool = True  # the page offers "Try signing in again" (else: home)


DOCTOR = "logto doctor"  # the project's `logto` console script


def idp_unreachable(error: IdpUnavailable | None = None, detail: str = "") -> Failure:
    """The 503 page while Logto cannot be reached, saying how it failed where that is known."""
    problem = error.problem if error is not None else "could not be reached"
    return Failure(
        503,
        "Logto is unreachable",
        f"Logto {problem}. Please try again in a moment; if this goes on, the site's operator "
        f"can run `{DOCTOR}`.",
        detail or str(error or ""),
    )


#: A POST without the session's CSRF token: sent from another site, or a form from before
#: the session began.
FORM_REFUSED = Failure(
    403,
    "Form not accepted",
    "This form was sent from another site or has expired. Reload the page and try again.",
    sign_in_again=False,
)
SIGNED_OUT_HERE_ONLY = Failure(
    503,
    "Signed out of this app only",
    "Logto could not be reached to end your Logto session; try signing out again later.",
)
SESSIONS_UNAVAILABLE = Failure(
    503,
    "Sessions are unavailable",
    "Your session could not be read or saved just now. Please try again shortly.",
    sign_in_again=False,
)
USERINFO_UNAVAILABLE = "Logto's userinfo endpoint could not be reached; showing the ID token."


def request_too_large(limit_bytes: int | None) -> Failure:
    """The 413 page: a request body above MAX_REQUEST_BYTES, refused before it was read."""
    most = f" (at most {size_in_words(limit_bytes)})" if limit_bytes else ""
    return Failure(
        413,
        "Request too large",
        f"This request sends more data than this site accepts{most}. Send less and try again.",
        sign_in_again=False,
    )


def size_in_words(size: int) -> str:
    """`1 MiB`, `64 KiB` or `20000 bytes`."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def describe_callback_failure(error: Exception, oauth_error: str | None) -> Failure:
    """`oauth_error` is the callback's `error` parameter, if Logto sent one."""
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, IdpUnavailable):
        return idp_unreachable(error, detail)
    if isinstance(error, PyJWKClientConnectionError):  # Logto's keys could not be fetched
        return idp_unreachable(detail=detail)
    if isinstance(error, PyJWTError):
        return Failure(
            400,
            "Sign-in could not be verified",
            "The identity token from Logto failed verification. Please sign in again.",
            detail,
        )
    if isinstance(error, LogtoException) and oauth_error and str(error) == oauth_error:
        if oauth_error == "access_denied":
            return Failure(403, "Sign-in cancelled", "Sign-in was cancelled or denied.", detail)
        return Failure(400, "Sign-in failed", f"Logto reported an error ({oauth_error}).", detail)
    message = SDK_MESSAGES.get(str(error))
    if isinstance(error, LogtoException) and message:
        return Failure(400, "Sign-in failed", message, detail)
    if isinstance(error, LogtoException):  # the token endpoint refused the code
        return Failure(
            400,
            "Sign-in failed",
            "Logto did not accept this sign-in (it may have expired or been used already). "
            "Please sign in again.",
            detail,
        )
    raise error

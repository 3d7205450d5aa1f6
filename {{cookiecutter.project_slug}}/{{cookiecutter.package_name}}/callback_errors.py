"""Turn a failed sign-in callback into a page a person understands (never a 500)."""

from __future__ import annotations

from dataclasses import dataclass

from jwt import PyJWTError
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
class CallbackFailure(Exception):
    """What to show (and log) when the callback cannot complete the sign-in."""

    status: int
    title: str
    message: str
    log_detail: str


def describe_callback_failure(error: Exception, oauth_error: str | None) -> CallbackFailure:
    """`oauth_error` is the callback's `error` parameter, if Logto sent one."""
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, IdpUnavailable):
        return CallbackFailure(
            503,
            "Logto is unreachable",
            "The sign-in service did not answer in time. Please try again in a moment.",
            detail,
        )
    if isinstance(error, PyJWTError):
        return CallbackFailure(
            400,
            "Sign-in could not be verified",
            "The identity token from Logto failed verification. Please sign in again.",
            detail,
        )
    if isinstance(error, LogtoException) and oauth_error and str(error) == oauth_error:
        if oauth_error == "access_denied":
            return CallbackFailure(
                403, "Sign-in cancelled", "Sign-in was cancelled or denied.", detail
            )
        return CallbackFailure(
            400, "Sign-in failed", f"Logto reported an error ({oauth_error}).", detail
        )
    message = SDK_MESSAGES.get(str(error))
    if isinstance(error, LogtoException) and message:
        return CallbackFailure(400, "Sign-in failed", message, detail)
    if isinstance(error, LogtoException):  # the token endpoint refused the code
        return CallbackFailure(
            400,
            "Sign-in failed",
            "Logto did not accept this sign-in (it may have expired or been used already). "
            "Please sign in again.",
            detail,
        )
    raise error

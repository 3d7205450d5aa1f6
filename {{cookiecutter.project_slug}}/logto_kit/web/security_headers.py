"""Security headers on every response: a strict Content-Security-Policy and its companions,
and `Cache-Control: no-store` on pages (they may show a user; no cache may keep them).

The pages load only this app's stylesheet and run no script, so the policy allows nothing
but this origin. The one exception is `form-action`: the sign-out form posts to /sign-out,
which redirects to Logto's end-session endpoint, and Chromium checks `form-action` on every
redirect of a form submission: without Logto's origin, signing out is blocked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from ..settings import Settings

#: One year; sent only when the app is served over https (APP_BASE_URL).
HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60


class ResponseHeaders(Protocol):
    """What the framework's response headers offer (werkzeug's `Headers`)."""

    def items(self) -> Iterable[tuple[str, str]]: ...
    def add(self, key: str, value: Any, /, **kwargs: Any) -> None: ...
    def get(self, key: str) -> str | None: ...


def content_security_policy(settings: Settings) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "form-action": f"'self' {settings.logto_endpoint}",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(settings: Settings) -> dict[str, str]:
    """The headers every response gets, for these settings."""
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    if settings.uses_https:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_MAX_AGE_SECONDS}"
    return headers


class SecurityHeaders:
    """The headers for these settings, added to a response by the framework's
    `after_request` hook. A header a view has set already is kept (a page may loosen its
    own policy on purpose)."""

    def __init__(self, settings: Settings) -> None:
        self.headers = security_headers(settings)
        self._by_lower_name = [(name.lower(), name, value) for name, value in self.headers.items()]

    def add_to(self, headers: ResponseHeaders) -> None:
        present = {name.lower() for name, _ in headers.items()}  # one pass, not one per header
        for name, value in self.missing_from(present, headers.get("Content-Type") or ""):
            headers.add(name, value)

    def missing_from(self, present: set[str], content_type: str) -> list[tuple[str, str]]:
        """What a response with the headers `present` (lowercase names) and `content_type`
        lacks: these headers, and `no-store` on a page (not on static files)."""
        added = [
            (name, value) for lower, name, value in self._by_lower_name if lower not in present
        ]
        if content_type.startswith("text/html") and "cache-control" not in present:
            added.append(("Cache-Control", "no-store"))
        return added

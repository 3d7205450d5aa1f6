"""The browser's limit on one cookie, and the page shown instead of silently exceeding it.

Browsers drop a cookie whose name and value pass about 4 KB, without a word: the user would
just be signed out. A Logto ID token puts the session near 1.1 KB and every access token for
an API resource adds 0.5-0.7 KB, so a few resources are enough.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..auth.failures import Failure

COOKIE_LIMIT_BYTES = 4093  # name + "=" + value, the most every major browser keeps

SESSION_TOO_LARGE = Failure(
    507,
    "Session too large for a cookie",
    "Signing in needs more session space than a browser cookie can hold, so nothing was "
    "saved. The app's operator must switch to a server-side session backend "
    "(redis, sqlalchemy or filesystem).",
)


def oversized_session_failure(app: Any, session: Any) -> Failure | None:
    """A `Failure` to show instead of saving `session` when its signed cookie would be
    dropped by browsers. `app` is the web app (its session interface signs the cookie)."""
    if not session.modified or not session:
        return None
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps(dict(session))
    return oversized_cookie_failure(app.config["SESSION_COOKIE_NAME"], value)


def oversized_cookie_failure(name: str, value: str) -> Failure | None:
    """A `Failure` to show when the cookie `name=value` would be dropped by browsers."""
    size = len(name.encode()) + 1 + len(value.encode())
    if size <= COOKIE_LIMIT_BYTES:
        return None
    detail = f"session cookie would be {size} bytes (browsers keep {COOKIE_LIMIT_BYTES})"
    return replace(SESSION_TOO_LARGE, log_detail=detail)

"""A per-session token that state-changing forms (sign-out) must send back."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

CSRF_KEY = "app.csrf"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    token = session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def csrf_token_matches(session: MutableMapping[str, Any], submitted: str | None) -> bool:
    expected = session.get(CSRF_KEY)
    if not isinstance(expected, str) or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())

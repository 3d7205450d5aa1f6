"""The framework-free parts `init_app` (web/extension.py) puts together: the session cookie's
config and the sign-in flow."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import timedelta
from typing import Any

from ..auth.logto_auth import LogtoAuth
from ..auth.token_refresh import KeyedLocks, TokenRefresher
from ..sessions.refresh_lock import shared_refresh_lock
from ..settings import SESSION_LIFETIME_SECONDS, Settings


def session_cookie_config(settings: Settings) -> dict[str, Any]:
    """The app config of the session cookie: signed, HttpOnly, SameSite=Lax, Secure on https."""
    return {
        "SECRET_KEY": settings.secret_key,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.uses_https,
        "PERMANENT_SESSION_LIFETIME": timedelta(seconds=SESSION_LIFETIME_SECONDS),
    }


def new_logto_auth(
    settings: Settings, session: MutableMapping[str, Any], locks: KeyedLocks
) -> LogtoAuth:
    """The sign-in flow, one per app: it renews tokens once per session across requests (the
    framework's `locks`) and, with a server-side store, across instances (the store's lock)."""
    return LogtoAuth(settings, session, TokenRefresher(locks, shared_refresh_lock(settings)))

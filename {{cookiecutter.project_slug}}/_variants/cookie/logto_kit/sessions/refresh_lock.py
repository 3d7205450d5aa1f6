"""Signed-cookie sessions share no store between processes, so token refreshes are coordinated
within each process only (token_refresh.py). Several processes or instances each refresh for
themselves: two requests of one session reaching two of them at the moment its ID token expires
can both refresh, and Logto then revokes the sign-in. So the README's production command (and
the Dockerfile's) runs ONE process (its threads or its event loop serve many requests); to
serve from several, choose a server-side session backend (redis, sqlalchemy or filesystem)."""

from __future__ import annotations

from ..auth.token_refresh import LOCK_WAIT_SECONDS, SharedRefreshLock
from ..settings import Settings


def shared_refresh_lock(
    settings: Settings, wait_seconds: float = LOCK_WAIT_SECONDS
) -> SharedRefreshLock | None:
    return None

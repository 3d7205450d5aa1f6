"""A lock per key for Flask's request threads (token_refresh.py uses it per refresh token).

Each key has a `threading.Lock` only while a request holds or waits for it, so the registry
never holds more keys than there are requests in flight. Waiting blocks the request's thread and
its own event loop (async_bridge.py): no other request waits with it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..auth.token_refresh import LOCK_WAIT_SECONDS, LockWaitTimeout


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0  # holding or waiting


class KeyedLocks:
    def __init__(self, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.wait_seconds = wait_seconds
        self._guard = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        """How many keys are held or waited for now."""
        return len(self._entries)

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        with self._guard:
            entry = self._entries.setdefault(key, _Entry())
            entry.users += 1
        try:
            if not entry.lock.acquire(timeout=self.wait_seconds):
                raise LockWaitTimeout(f"held by another request for {self.wait_seconds:g} s")
            try:
                yield
            finally:
                entry.lock.release()
        finally:
            with self._guard:
                entry.users -= 1
                if entry.users == 0:
                    del self._entries[key]

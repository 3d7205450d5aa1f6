"""A lock per key for the request tasks of an asyncio web framework (token_refresh.py uses
it per refresh token).

Each key has an `asyncio.Lock` only while a request holds or waits for it, so the registry never
holds more keys than there are requests in flight. Waiting never blocks the event loop. One
instance serves one event loop (the app's).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..auth.token_refresh import LOCK_WAIT_SECONDS, LockWaitTimeout


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding or waiting


class KeyedLocks:
    def __init__(self, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.wait_seconds = wait_seconds
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        """How many keys are held or waited for now."""
        return len(self._entries)

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            try:
                async with asyncio.timeout(self.wait_seconds):
                    await entry.lock.acquire()
            except TimeoutError as error:
                raise LockWaitTimeout(
                    f"held by another request for {self.wait_seconds:g} s"
                ) from error
            try:
                yield
            finally:
                entry.lock.release()
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]

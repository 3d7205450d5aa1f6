"""Token refreshes coordinated across the processes that share SESSION_DIR (one host).

See token_refresh.py. Everything lives in `SESSION_DIR/.token-refresh/` (0700): `flock`ed lock
files (file_lock.py) and one outcome file per key, `<key>.json` (0600, written atomically),
whose modification time is its expiry; expired ones are deleted when another is written. All
file work runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from ..auth.token_refresh import (
    LOCK_WAIT_SECONDS,
    LockWaitTimeout,
    RefreshUnavailable,
    SharedRefreshLock,
)
from ..settings import Settings
from .file_lock import file_lock

logger = logging.getLogger(__name__)

DIR_NAME = ".token-refresh"


class FileSlot:
    def __init__(self, directory: Path, key: str) -> None:
        self._directory, self._path = directory, directory / f"{key}.json"

    def _read(self) -> str | None:
        try:
            with self._path.open(encoding="utf-8") as file:
                if os.fstat(file.fileno()).st_mtime <= time.time():
                    return None  # expired
                return file.read()
        except FileNotFoundError:
            return None

    def _write(self, outcome: str, ttl_seconds: float) -> None:
        now = time.time()
        fd, temp_name = tempfile.mkstemp(dir=self._directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(outcome)
            os.utime(temp_name, (now + ttl_seconds, now + ttl_seconds))
            os.replace(temp_name, self._path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        for path in self._directory.glob("*.json"):
            with contextlib.suppress(OSError):  # another process may delete it first
                if path.stat().st_mtime <= now:
                    path.unlink()

    async def outcome(self) -> str | None:
        try:
            return await asyncio.to_thread(self._read)
        except OSError as error:
            raise RefreshUnavailable(f"{self._directory}: {error}") from error

    async def publish(self, outcome: str, ttl_seconds: float) -> None:
        try:
            await asyncio.to_thread(self._write, outcome, ttl_seconds)
        except OSError as error:
            logger.warning("%s: cannot publish a token refresh: %s", self._directory, error)


class FileRefreshLock:
    def __init__(self, session_dir: Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.directory, self.wait_seconds = session_dir / DIR_NAME, wait_seconds

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[FileSlot]:
        async with contextlib.AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(file_lock(self.directory, key, self.wait_seconds))
            except LockWaitTimeout:
                raise
            except OSError as error:
                raise RefreshUnavailable(f"{self.directory}: {error}") from error
            yield FileSlot(self.directory, key)


def shared_refresh_lock(
    settings: Settings, wait_seconds: float = LOCK_WAIT_SECONDS
) -> SharedRefreshLock | None:
    return FileRefreshLock(settings.session_dir, wait_seconds)

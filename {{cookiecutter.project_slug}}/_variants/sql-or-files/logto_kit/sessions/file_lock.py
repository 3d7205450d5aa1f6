"""Exclusive locks between the processes of one host, as lock files (the `filelock` library:
`flock` on POSIX, `msvcrt` locking on Windows).

A key maps to one of STRIPES files in a directory, so the files are few and stay in place. A
lock ends when its holder releases it or dies.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from filelock import AsyncFileLock, Timeout

from ..auth.token_refresh import LOCK_WAIT_SECONDS, POLL_SECONDS, LockWaitTimeout

STRIPES = 64


@contextlib.asynccontextmanager
async def file_lock(
    directory: Path, key: str, wait_seconds: float = LOCK_WAIT_SECONDS
) -> AsyncIterator[None]:
    """Hold the lock of `key` (hex digits) in `directory`; raises `LockWaitTimeout` when it is
    not free in time, OSError when the directory cannot be used."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"refresh-{int(key[:8], 16) % STRIPES:02d}.lock"
    lock = AsyncFileLock(path, timeout=wait_seconds, mode=0o600)
    try:
        await lock.acquire(poll_interval=POLL_SECONDS)
    except Timeout:
        raise LockWaitTimeout(f"held by another process for {wait_seconds:g} s") from None
    try:
        yield
    finally:
        await lock.release()

"""Exclusive locks between the processes of one host, as `flock`s on a few lock files.

A key maps to one of STRIPES files in a directory, so the files are few and never deleted
(deleting a lock file others may hold open breaks `flock`). A lock ends when its holder closes
the file or dies. Without `fcntl` (Windows) there is no lock: run one process there.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from ..auth.token_refresh import LOCK_WAIT_SECONDS, POLL_SECONDS, LockWaitTimeout

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

STRIPES = 64


def _open(path: Path) -> int:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


@contextlib.asynccontextmanager
async def file_lock(
    directory: Path, key: str, wait_seconds: float = LOCK_WAIT_SECONDS
) -> AsyncIterator[None]:
    """Hold the lock of `key` (hex digits) in `directory`; raises `LockWaitTimeout` when it is
    not free in time, OSError when the directory cannot be used."""
    if fcntl is None:
        yield
        return
    path = directory / f"refresh-{int(key[:8], 16) % STRIPES:02d}.lock"
    fd = await asyncio.to_thread(_open, path)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # never blocks
                break
            except BlockingIOError:
                if loop.time() >= deadline:
                    raise LockWaitTimeout(
                        f"held by another process for {wait_seconds:g} s"
                    ) from None
                await asyncio.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # releases the lock

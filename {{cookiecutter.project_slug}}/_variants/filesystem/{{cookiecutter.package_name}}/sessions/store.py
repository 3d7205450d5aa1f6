"""Sessions as files in a local directory (SESSION_DIR), for one server without Redis.

One JSON file per session, `<dir>/<id>.json` (ids are checked against their format before
use, so no path tricks), written atomically (temp file, then `os.replace`), readable only by
this user (0600, in a 0700 directory). A file's modification time is set to its expiry, so
expired files are skipped on load and every PURGE_EVERY_N_SAVES-th save deletes them with a
`stat` alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from ..settings import Settings
from .server_side import SID_RE, SessionStore
from .store_check import check_at_start

STALE_TEMP_FILE_SECONDS = 3600  # a write interrupted by a crash leaves its temp file behind


class FileStore(SessionStore):
    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory, self.address = directory, str(directory)

    def _path(self, sid: str) -> Path:
        if not SID_RE.fullmatch(sid):
            raise ValueError("malformed session id")
        return self.directory / f"{sid}.json"

    def load(self, sid: str) -> dict[str, Any] | None:
        try:
            with self._path(sid).open("rb") as file:
                if os.fstat(file.fileno()).st_mtime <= time.time():
                    return None  # expired
                return dict(json.load(file))
        except (FileNotFoundError, ValueError):  # ValueError: not JSON (never left by a save)
            return None

    def _write(self, sid: str, data: dict[str, Any], ttl_seconds: int, purge: bool) -> None:
        try:
            fd, temp_name = tempfile.mkstemp(dir=self.directory, prefix=f".{sid}.", suffix=".tmp")
        except FileNotFoundError:  # the folder was deleted: make it again, once
            self.prepare()
            fd, temp_name = tempfile.mkstemp(dir=self.directory, prefix=f".{sid}.", suffix=".tmp")
        try:  # mkstemp makes the file 0600
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(data, file, separators=(",", ":"))
            expires_at = time.time() + ttl_seconds
            os.utime(temp_name, (expires_at, expires_at))
            os.replace(temp_name, self._path(sid))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        if purge:
            self._purge()

    def _purge(self) -> None:
        now = time.time()
        for path in [*self.directory.glob("*.json"), *self.directory.glob(".*.tmp")]:
            with contextlib.suppress(OSError):  # another worker may purge it first
                stat = path.lstat()
                cutoff = now - STALE_TEMP_FILE_SECONDS if path.suffix == ".tmp" else now
                if stat.st_mtime <= cutoff:
                    path.unlink()

    def delete(self, sid: str) -> None:
        self._path(sid).unlink(missing_ok=True)

    def prepare(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.directory):
            pass

    def close(self) -> None:
        """Nothing is held open between requests."""


def open_store(settings: Settings) -> FileStore:
    """The store and its folder; if the folder cannot be made or written yet, one line names
    SESSION_DIR (store_check.py)."""
    directory = settings.session_dir
    assert directory is not None
    store = FileStore(directory)
    check_at_start(
        store,
        lambda error: (
            f"SESSION_DIR={str(directory)!r} is not a writable directory "
            f"({getattr(error, 'strerror', None) or error}): create it or set SESSION_DIR to "
            "one this app may write"
        ),
    )
    return store

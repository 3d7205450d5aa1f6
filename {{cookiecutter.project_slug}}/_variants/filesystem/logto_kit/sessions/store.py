"""Sessions as files in a local directory (SESSION_DIR), for one server without Redis.

One JSON file per session, `<dir>/<id>.json` (ids are checked against their format before
use, so no path tricks), written atomically (temp file, then `os.replace`), readable only by
this user (0600, in a 0700 directory). A file's modification time is set to its expiry, so
expired files are skipped on load and every PURGE_EVERY_N_SAVES-th save deletes them with a
`stat` alone.

Back-channel logout adds folders under the session folder: `logto-sids/<h>/` and
`logto-subs/<h>/` (h: SHA-256 of a Logto `sid` or user `sub`) each hold one empty file per
session signed in through it, named by the session id, and `logout-tokens/<h>` one file per
logout token used (h: SHA-256 of its `jti`, created with O_EXCL, so of two requests one wins).
Their modification times are their expiries too, and the periodic purge deletes expired ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from .server_side import SID_RE, LogtoSession, SessionStore
from .store_check import check_at_start
from .store_settings import StoreSettings

STALE_TEMP_FILE_SECONDS = 3600  # a write interrupted by a crash leaves its temp file behind
LOGTO_SIDS, LOGTO_SUBS, LOGOUT_TOKENS = "logto-sids", "logto-subs", "logout-tokens"


def _hashed(value: str) -> str:
    """A file name for any string Logto sends (fixed length, no path tricks)."""
    return hashlib.sha256(value.encode()).hexdigest()


def _touch(path: Path, expires_at: float, *, exclusive: bool = False) -> bool:
    """Create `path` (0600) expiring at `expires_at`; False if `exclusive` and it exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else 0)
    try:
        os.close(os.open(path, flags, 0o600))
    except FileExistsError:
        return False
    os.utime(path, (expires_at, expires_at))
    return True


class FileStore(SessionStore):
    fix = "create it or set SESSION_DIR to one this app may write"

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
        index = [
            self.directory / LOGOUT_TOKENS,
            self.directory / LOGTO_SIDS,
            self.directory / LOGTO_SUBS,
        ]
        index_files = [*index[0].glob("*"), *index[1].glob("*/*"), *index[2].glob("*/*")]
        for path in [*self.directory.glob("*.json"), *self.directory.glob(".*.tmp"), *index_files]:
            with contextlib.suppress(OSError):  # another worker may purge it first
                stat = path.lstat()
                cutoff = now - STALE_TEMP_FILE_SECONDS if path.suffix == ".tmp" else now
                if stat.st_mtime <= cutoff:
                    path.unlink()
        for folder in [*index[1].glob("*"), *index[2].glob("*")]:
            with contextlib.suppress(OSError):  # not empty: still in use
                folder.rmdir()

    def delete(self, sid: str) -> None:
        self._path(sid).unlink(missing_ok=True)

    def bind(self, sid: str, logto_session: LogtoSession, ttl_seconds: int) -> None:
        expires_at = time.time() + ttl_seconds
        self._path(sid)  # a well-formed session id only
        folders = [self.directory / LOGTO_SUBS / _hashed(logto_session.sub)]
        if logto_session.sid is not None:
            folders.append(self.directory / LOGTO_SIDS / _hashed(logto_session.sid))
        for folder in folders:
            _touch(folder / sid, expires_at)

    def end_logto_session(self, logto_sid: str | None, sub: str | None) -> int:
        if logto_sid is not None:
            folder = self.directory / LOGTO_SIDS / _hashed(logto_sid)
        elif sub is not None:
            folder = self.directory / LOGTO_SUBS / _hashed(sub)
        else:
            return 0
        try:
            bound = [path for path in folder.iterdir() if SID_RE.fullmatch(path.name)]
        except FileNotFoundError:
            return 0
        for path in bound:
            self.delete(path.name)
            path.unlink(missing_ok=True)
        return len(bound)

    def remember_logout_token(self, jti: str, until: int) -> bool:
        path = self.directory / LOGOUT_TOKENS / _hashed(jti)
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime <= time.time():  # expired: may be noted again
                path.unlink(missing_ok=True)
        return _touch(path, until, exclusive=True)

    def forget_logout_token(self, jti: str) -> None:
        (self.directory / LOGOUT_TOKENS / _hashed(jti)).unlink(missing_ok=True)

    def prepare(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.directory):
            pass

    def ping(self) -> None:
        """The folder is there (made if missing, as at start) and this app may write it."""
        self.prepare()

    def unreachable(self, error: BaseException) -> str:
        reason = getattr(error, "strerror", None) or error
        return f"SESSION_DIR={str(self.directory)!r} is not a writable directory ({reason})"

    def close(self) -> None:
        """Nothing is held open between requests."""


def new_store(settings: StoreSettings) -> FileStore:
    return FileStore(settings.session_dir)


def open_store(settings: StoreSettings) -> FileStore:
    """The store and its folder; if the folder cannot be made or written yet, one line names
    SESSION_DIR (store_check.py)."""
    store = new_store(settings)
    check_at_start(store)
    return store

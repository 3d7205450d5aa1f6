"""Sessions as files in a local directory (SESSION_DIR), for one server without Redis."""

from __future__ import annotations

import tempfile

from cachelib import FileSystemCache
from flask import Flask

from ..settings import Settings, SettingsError
from .server_side import install_flask_session, regenerate_session_id

__all__ = ["configure_sessions", "regenerate_session_id"]


def configure_sessions(app: Flask, settings: Settings) -> None:
    directory = settings.session_dir
    assert directory is not None
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise SettingsError(
            f"SESSION_DIR={str(directory)!r} is not a writable directory ({error.strerror}): "
            "create it or set SESSION_DIR to one this app may write"
        ) from error
    store = FileSystemCache(str(directory), threshold=0, mode=0o600)  # 0: no session limit
    install_flask_session(app, SESSION_TYPE="cachelib", SESSION_CACHELIB=store)

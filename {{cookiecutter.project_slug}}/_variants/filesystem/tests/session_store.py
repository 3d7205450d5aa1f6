"""The session store under test: a temp directory."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

StoreProbe = Callable[[str], bool]


@pytest.fixture
def session_dir(tmp_path: Path) -> Path:
    return tmp_path / "sessions"


@pytest.fixture
def store_settings(session_dir: Path) -> dict[str, object]:
    return {"session_dir": session_dir}


@pytest.fixture
def store_probe(session_dir: Path) -> StoreProbe:
    """Whether the store holds a record for a session id: `<sid>.json` (Quart's store) or
    cachelib's md5-named file of `session:<sid>` (Flask-Session)."""

    def has(sid: str) -> bool:
        cachelib_name = hashlib.sha256(f"session:{sid}".encode()).hexdigest()
        return (session_dir / f"{sid}.json").exists() or (session_dir / cachelib_name).exists()

    return has

"""The session store under test: a temp directory."""

from __future__ import annotations

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
    """Whether the store holds a record for a session id: `<sid>.json`."""
    return lambda sid: (session_dir / f"{sid}.json").exists()

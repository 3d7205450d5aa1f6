"""The session store under test: a temp directory."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .store_outages import Fault, Outage

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


@pytest.fixture
def outage(session_dir: Path) -> Outage:
    """The session folder replaced by a file: nothing can be written there (even as root)."""

    def begin() -> None:
        shutil.rmtree(session_dir, ignore_errors=True)
        session_dir.write_text("not a folder")

    return Outage(
        {"session_dir": session_dir},
        {"unwritable": Fault(begin, session_dir.unlink, keeps_sessions=False)},
    )


def store_env(directory: Path) -> dict[str, str]:
    """Well-formed `.env` values for this store, the folder in `directory`."""
    return {"SESSION_DIR": str(directory / "sessions")}

"""The session store under test: a temp directory."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .store_outages import Fault, Outage

StoreProbe = Callable[[str], bool]
StoreRecords = Callable[[], list[tuple[str, float]]]


@pytest.fixture
def session_dir(tmp_path: Path) -> Path:
    return tmp_path / "sessions"


@pytest.fixture
def store_settings(session_dir: Path) -> dict[str, object]:
    return {"session_dir": session_dir}


@pytest.fixture
def reachable_store_env(tmp_path: Path) -> dict[str, str]:
    """`.env` values of a store that answers: a folder this user may create."""
    return store_env(tmp_path)


@pytest.fixture
def store_probe(session_dir: Path) -> StoreProbe:
    """Whether the store holds a record for a session id: `<sid>.json`."""
    return lambda sid: (session_dir / f"{sid}.json").exists()


@pytest.fixture
def store_records(session_dir: Path) -> StoreRecords:
    """The id of every session record in the store, each with the seconds it has left to
    live (a file's modification time is its expiry)."""

    def records() -> list[tuple[str, float]]:
        files = session_dir.glob("*.json") if session_dir.is_dir() else []
        return [(path.stem, path.stat().st_mtime - time.time()) for path in files]

    return records


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

"""The setting that says where sessions live: SESSION_DIR, the directory of session files (read
and checked at start with the other settings by settings.py; `Settings.session_dir`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: This store's settings, each with how to set it (said when it is missing).
STORE_SETTINGS = {"SESSION_DIR": "set a directory for session files, e.g. instance/sessions"}


@dataclass(frozen=True, kw_only=True)
class StoreSettings:
    """What `Settings` holds about the store."""

    session_dir: Path  # absolute


def store_fields(values: Mapping[str, str], project_root: Path) -> dict[str, Any]:
    """`StoreSettings`' fields from the (set) `values` of STORE_SETTINGS: a relative directory
    is relative to the project (`project_root`), not to the working directory."""
    path = Path(values["SESSION_DIR"]).expanduser()
    return {"session_dir": path if path.is_absolute() else project_root / path}

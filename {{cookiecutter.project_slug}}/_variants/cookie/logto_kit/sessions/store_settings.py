"""The settings that say where sessions live: none, since the signed cookie holds the session
itself (settings.py reads and checks the others)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: This store's settings, each with how to set it: none.
STORE_SETTINGS: dict[str, str] = {}


@dataclass(frozen=True, kw_only=True)
class StoreSettings:
    """What `Settings` holds about the store: nothing, the cookie needs no setting."""


def store_fields(values: Mapping[str, str], project_root: Path) -> dict[str, Any]:
    """`StoreSettings`' fields: none."""
    return {}

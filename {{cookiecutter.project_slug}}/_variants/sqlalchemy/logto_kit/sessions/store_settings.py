"""The setting that says where sessions live: DATABASE_URL, a SQLAlchemy database URL (read
and checked at start with the other settings by settings.py; `Settings.database_url`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..masking import masked

#: This store's settings, each with how to set it (said when it is missing or malformed).
STORE_SETTINGS = {
    "DATABASE_URL": (
        "set a SQLAlchemy database URL, e.g. sqlite:///instance/sessions.sqlite3 or "
        "postgresql://user:password@localhost:5432/app"
    ),
}


@dataclass(frozen=True, kw_only=True)
class StoreSettings:
    """What `Settings` holds about the store."""

    database_url: str  # with the installed driver; a relative SQLite path made absolute


def store_fields(values: Mapping[str, str], project_root: Path) -> dict[str, Any]:
    """`StoreSettings`' fields from the (set) `values` of STORE_SETTINGS; ValueError, one line
    naming the setting, when one cannot be used. Relative SQLite paths are made relative to
    the project (`project_root`), not to the working directory."""
    value = values["DATABASE_URL"]
    scheme, separator, rest = value.partition("://")
    if not separator or not scheme:
        raise ValueError(
            f"DATABASE_URL={masked(value)!r} is not a URL: {STORE_SETTINGS['DATABASE_URL']}"
        )
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql+psycopg"  # the driver this project installs
    if scheme == "sqlite" and rest.startswith("/") and not rest.startswith("//"):
        rest = "/" + str(project_root / rest[1:])
    return {"database_url": f"{scheme}://{rest}"}

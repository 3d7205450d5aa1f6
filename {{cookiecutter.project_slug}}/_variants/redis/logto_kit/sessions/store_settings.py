"""The setting that says where sessions live: REDIS_URL, the Redis server's URL (read and
checked at start with the other settings by settings.py; `Settings.redis_url`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..masking import masked

#: This store's settings, each with how to set it (said when it is missing or malformed).
STORE_SETTINGS = {"REDIS_URL": "set the Redis server's URL, e.g. redis://localhost:6379/0"}


@dataclass(frozen=True, kw_only=True)
class StoreSettings:
    """What `Settings` holds about the store."""

    redis_url: str  # redis://, rediss:// or unix://


def store_fields(values: Mapping[str, str], project_root: Path) -> dict[str, Any]:
    """`StoreSettings`' fields from the (set) `values` of STORE_SETTINGS; ValueError, one line
    naming the setting, when one cannot be used."""
    value = values["REDIS_URL"]
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise ValueError(
            f"REDIS_URL={masked(value)!r} must start with redis://, rediss:// or unix://: "
            f"{STORE_SETTINGS['REDIS_URL']}"
        )
    return {"redis_url": value}

"""The ID token's claims as the profile page shows them: times as dates (UTC), the raw value
kept beside them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: Claims that hold a time: OIDC's in seconds, Logto's user dates in milliseconds.
SECONDS_CLAIMS = frozenset({"exp", "iat", "nbf", "auth_time"})
MILLISECONDS_CLAIMS = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class ShownClaim:
    name: str
    raw: Any
    when: str | None  # the time it holds, readable; None for other claims


def shown_claims(claims: Mapping[str, Any]) -> list[ShownClaim]:
    """Every claim in name order; times also as `2026-11-30 17:45:00 UTC`."""
    return [ShownClaim(name, claims[name], _when(name, claims[name])) for name in sorted(claims)]


def _when(name: str, value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if name in SECONDS_CLAIMS:
        seconds = float(value)
    elif name in MILLISECONDS_CLAIMS:
        seconds = value / 1000
    else:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return None

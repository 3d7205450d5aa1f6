"""A token's claims as the pages show them (the ID token on the profile, an organization
token): each value as JSON writes it (`false`, `null`, `["a", "b"]`: the same as the userinfo
beside it), times also as dates (UTC)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: Claims that hold a time: OIDC's in seconds, Logto's user dates in milliseconds.
SECONDS_CLAIMS = frozenset({"exp", "iat", "nbf", "auth_time"})
MILLISECONDS_CLAIMS = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class ShownClaim:
    name: str
    raw: str  # the value as JSON writes it (a string as itself)
    when: str | None = None  # the time it holds, readable (`2026-11-30 17:45:00 UTC`)
    iso: str | None = None  # the same time for `<time datetime=...>`


def shown_claims(claims: Mapping[str, Any], names: Sequence[str] | None = None) -> list[ShownClaim]:
    """Every claim in name order (or those of `names` that are present, in that order)."""
    chosen = sorted(claims) if names is None else [name for name in names if name in claims]
    return [shown_claim(name, claims[name]) for name in chosen]


def shown_claim(name: str, value: Any) -> ShownClaim:
    raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    moment = _moment(name, value)
    if moment is None:
        return ShownClaim(name, raw)
    return ShownClaim(name, raw, moment.strftime("%Y-%m-%d %H:%M:%S UTC"), moment.isoformat())


def _moment(name: str, value: Any) -> datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if name in SECONDS_CLAIMS:
        seconds = float(value)
    elif name in MILLISECONDS_CLAIMS:
        seconds = value / 1000
    else:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None

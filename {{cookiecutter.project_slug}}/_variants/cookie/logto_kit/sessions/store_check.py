"""A signed cookie keeps sessions in the browser: there is no session store to reach, at
start, for `/readyz` or for `logto doctor`."""

from __future__ import annotations

from collections.abc import Mapping


def check_store(values: Mapping[str, str]) -> tuple[bool, str] | None:
    """`logto doctor`: the line to print about the session store (nothing to reach)."""
    return True, "sessions are kept in signed cookies: no session store to reach"

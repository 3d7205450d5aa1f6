"""The session store under test: the signed cookie needs none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

StoreProbe = Callable[[str], bool]


@pytest.fixture
def store_settings() -> dict[str, object]:
    return {}


@pytest.fixture
def reachable_store_env() -> dict[str, str]:
    """`.env` values of a store that answers: the signed cookie needs none."""
    return {}


def store_env(directory: Path) -> dict[str, str]:
    """Well-formed `.env` values for this store: the signed cookie needs none."""
    return {}

"""The session store under test: the signed cookie needs none."""

from __future__ import annotations

from collections.abc import Callable

import pytest

StoreProbe = Callable[[str], bool]


@pytest.fixture
def store_settings() -> dict[str, object]:
    return {}

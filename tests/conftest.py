"""Shared fixtures of the template's test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]

#: `browser` and `page` for the browser tests (tests/e2e, tests/against_logto).
pytest_plugins = ["tests.support.browser_fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    # pytest-cookies bakes the template at --template (default "."); make that this
    # repository wherever pytest is started from.
    if getattr(config.option, "template", ".") == ".":
        config.option.template = str(TEMPLATE_ROOT)

"""Browser fixtures for the end-to-end tests: one Chromium per test module, a fresh context
(no cookies) for every test.

Module scope, not session: Playwright's sync API keeps an event loop running in the thread,
which would break `asyncio.run()` in other modules' tests on the same xdist worker.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import chromium_for_a_module

TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_for_a_module() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()

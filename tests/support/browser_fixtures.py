"""Browser fixtures for every browser test (tests/e2e, tests/against_logto): one Chromium per
test module, and for each test a fresh context (no cookies) that reaches loopback only.

Module scope, not session: Playwright's sync API keeps an event loop running in the thread,
which would break `asyncio.run()` in other modules' tests on the same xdist worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route

from .browser import chromium_for_a_module

TIMEOUT_MS = 15_000
LOCAL_HOSTS = {"localhost", "127.0.0.1"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_for_a_module() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Anything not on loopback is aborted (nothing at test time may reach the internet);
    service workers are blocked so that every request of the page passes the route."""
    context = browser.new_context(service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/*", _loopback_only)
    yield context.new_page()
    context.close()


def _loopback_only(route: Route) -> None:
    if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()

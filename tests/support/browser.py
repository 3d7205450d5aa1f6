"""Launch Debian's Chromium through Playwright (Playwright's own browser download is not used)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

CHROMIUM_ENV = "CHROMIUM_PATH"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium reaches for Google's services at start; the test network is loopback.
QUIET_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright: Playwright) -> Browser:
    path = os.environ.get(CHROMIUM_ENV, DEFAULT_CHROMIUM)
    if not Path(path).is_file():
        pytest.fail(
            f"Chromium not found at {path}: apt-get install -y chromium, "
            f"or set {CHROMIUM_ENV} to your Chromium/Chrome binary"
        )
    return playwright.chromium.launch(executable_path=path, headless=True, args=QUIET_ARGS)


@contextlib.contextmanager
def chromium_for_a_module() -> Iterator[Browser]:
    """One Chromium for a test module. Module scope, not session: Playwright's sync API keeps
    an event loop running in the thread, which would break `asyncio.run()` in other modules'
    tests on the same xdist worker."""
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def log_in_at_idp(page: Page, issuer: str, login: str) -> None:
    """Fill the IdP's login form (it must be asking for credentials), then grant consent."""
    expect(page.locator('input[name="login"]')).to_be_visible()
    assert page.url.startswith(f"{issuer}/interaction/"), page.url
    page.fill('input[name="login"]', login)
    page.fill('input[name="password"]', "any-password")
    page.locator('button[type="submit"]').click()
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

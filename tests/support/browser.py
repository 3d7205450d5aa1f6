"""Launch Debian's Chromium through Playwright (Playwright's own browser download is not used)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

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

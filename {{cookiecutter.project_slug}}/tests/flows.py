"""Steps a browser takes, for tests: sign in through the fake Logto, read redirect URLs."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from .fake_logto import FakeLogto
from .page_client import PageClient
from .pages import Page


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def callback_path(callback_url: str) -> tuple[str, dict[str, str]]:
    """Split the callback URL Logto would redirect to into a path and query for the client."""
    return urlsplit(callback_url).path, query_of(callback_url)


def sign_in(client: PageClient, logto: FakeLogto, next_path: str | None = None) -> Page:
    """Go through sign-in as a browser would; returns the callback's response."""
    started = client.get("/sign-in", {"next": next_path} if next_path else None)
    assert started.status == 302, started.text
    path, query = callback_path(logto.authorize(started.location))
    return client.get(path, query)


def csrf_token_in(page: Page) -> str:
    """The sign-out form's token, read from the page as a browser would submit it."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the page has no sign-out form"
    return match.group(1)

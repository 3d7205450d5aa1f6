"""One browser's session asking several pages at the same moment (tabs, fetches), for the
token-refresh race tests: one thread and test client per request, all started together."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

from flask import Flask

from .pages import Page

START_TIMEOUT_SECONDS = 30


def get_concurrently(
    apps: Sequence[Flask], path: str, cookie: str, per_app: int
) -> list[tuple[Page, str | None]]:
    """GET `path` `per_app` times on each app (instance) at once, each request sending the
    session cookie `cookie`; returns each page with the session cookie it set (None: none)."""
    start = threading.Barrier(len(apps) * per_app)

    def one(app: Flask) -> tuple[Page, str | None]:
        name = app.config["SESSION_COOKIE_NAME"]
        client = app.test_client(use_cookies=False)
        start.wait(START_TIMEOUT_SECONDS)
        response = client.get(path, headers={"Cookie": f"{name}={cookie}"})
        headers = {key.lower(): value for key, value in response.headers.items()}
        page = Page(response.status_code, headers, response.get_data(as_text=True))
        return page, set_cookie(response.headers.getlist("Set-Cookie"), name)

    with ThreadPoolExecutor(len(apps) * per_app) as pool:
        futures = [pool.submit(one, app) for app in apps for _ in range(per_app)]
        return [future.result() for future in futures]


def set_cookie(headers: list[str], name: str) -> str | None:
    for header in headers:
        morsel = SimpleCookie(header).get(name)
        if morsel is not None:
            return morsel.value
    return None

"""One browser's session asking several pages at the same moment (tabs, fetches), for the
token-refresh race tests: per app (instance) one thread and event loop, as under a server,
with the requests as concurrent tasks, all started together."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from typing import Any

from quart import Quart

from .pages import Page

START_TIMEOUT_SECONDS = 30


def get_concurrently(
    apps: Sequence[Quart], path: str, cookie: str, per_app: int
) -> list[tuple[Page, str | None]]:
    """GET `path` `per_app` times on each app (instance) at once, each request sending the
    session cookie `cookie`; returns each page with the session cookie it set (None: none)."""
    start = threading.Barrier(len(apps))

    def burst(app: Quart) -> list[tuple[Page, str | None]]:
        async def run() -> list[tuple[Page, str | None]]:
            async with app.test_app() as test_app:  # serving starts: warm-up, store
                name = app.config["SESSION_COOKIE_NAME"]
                clients = [test_app.test_client() for _ in range(per_app)]
                await asyncio.to_thread(start.wait, START_TIMEOUT_SECONDS)
                return list(await asyncio.gather(*(one(client, name) for client in clients)))

        return asyncio.run(run())

    async def one(client: Any, name: str) -> tuple[Page, str | None]:
        response = await client.get(path, headers={"Cookie": f"{name}={cookie}"})
        headers = {key.lower(): value for key, value in response.headers.items()}
        page = Page(response.status_code, headers, await response.get_data(as_text=True))
        return page, set_cookie(response.headers.getlist("Set-Cookie"), name)

    with ThreadPoolExecutor(len(apps)) as pool:
        return [result for results in pool.map(burst, apps) for result in results]


def set_cookie(headers: list[str], name: str) -> str | None:
    for header in headers:
        morsel = SimpleCookie(header).get(name)
        if morsel is not None:
            return morsel.value
    return None

"""One browser's session asking several pages at the same moment (tabs, fetches), for the
token-refresh race tests: per app (instance) one thread and event loop, as under a server,
with the requests as concurrent tasks, all started together."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import httpx2
from fastapi import FastAPI

from logto_kit.sessions.interface import COOKIE_NAME

from .pages import Page

START_TIMEOUT_SECONDS = 30


def get_concurrently(
    apps: Sequence[FastAPI], path: str, cookie: str, per_app: int
) -> list[tuple[Page, str | None]]:
    """GET `path` `per_app` times on each app (instance) at once, each request sending the
    session cookie `cookie`; returns each page with the session cookie it set (None: none)."""
    start = threading.Barrier(len(apps))

    def burst(app: FastAPI) -> list[tuple[Page, str | None]]:
        async def run() -> list[tuple[Page, str | None]]:
            async with app.router.lifespan_context(app):  # serving starts: the store
                transport = httpx2.ASGITransport(app=app)
                async with httpx2.AsyncClient(
                    transport=transport, base_url="http://localhost"
                ) as client:
                    await asyncio.to_thread(start.wait, START_TIMEOUT_SECONDS)
                    calls = (one(client) for _ in range(per_app))
                    return list(await asyncio.gather(*calls))

        return asyncio.run(run())

    async def one(client: httpx2.AsyncClient) -> tuple[Page, str | None]:
        response = await client.get(path, headers={"Cookie": f"{COOKIE_NAME}={cookie}"})
        headers = {key.lower(): value for key, value in response.headers.items()}
        page = Page(response.status_code, headers, response.text)
        return page, set_cookie(response.headers.get_list("set-cookie"), COOKIE_NAME)

    with ThreadPoolExecutor(len(apps)) as pool:
        return [result for results in pool.map(burst, apps) for result in results]


def set_cookie(headers: list[str], name: str) -> str | None:
    for header in headers:
        morsel = SimpleCookie(header).get(name)
        if morsel is not None:
            return morsel.value
    return None

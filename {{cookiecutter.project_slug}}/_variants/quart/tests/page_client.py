"""A small synchronous test client over Quart's, returning `Page`s (pages.py).

The app runs on one event loop kept for the client's life; its startup (`before_serving`,
which warms up the Logto client) runs as under a real server.
"""

from __future__ import annotations

import asyncio
from typing import Any

from quart import Quart
from werkzeug.datastructures import Headers

from .pages import Page


class PageClient:
    def __init__(self, app: Quart) -> None:
        self.app = app
        self._loop = asyncio.new_event_loop()
        self._test_app = app.test_app()
        self._loop.run_until_complete(self._test_app.startup())
        self._client = self._test_app.test_client()

    def get(self, path: str, query: dict[str, str] | None = None) -> Page:
        return self._run(self._client.get(path, query_string=query))

    def post(self, path: str, form: dict[str, str] | None = None) -> Page:
        return self._run(self._client.post(path, form=form or {}))

    def call(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        json: Any = None,
    ) -> Page:
        """Any method, with `headers` (a list may name one twice) and a JSON body: as an API
        client calls."""
        sent = Headers(headers or {})
        body = {} if json is None else {"json": json}
        return self._run(self._client.open(path, method=method, headers=sent, **body))

    def session(self) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            async with self._client.session_transaction() as session:
                return dict(session)

        return self._loop.run_until_complete(read())

    def extension(self, name: str) -> Any:
        """What `init_app` keeps on the app under `name` (`logto_auth`, ...)."""
        return self.app.extensions[name]

    def page_paths(self) -> list[str]:
        """Every GET route of the app that takes no parameter."""
        rules = self.app.url_map.iter_rules()
        return sorted({r.rule for r in rules if "GET" in (r.methods or ()) and not r.arguments})

    def session_store(self) -> Any:
        """The store of the app's server-side sessions (a project with one)."""
        return self.app.session_interface.store  # type: ignore[attr-defined]

    def enable_debug(self) -> None:
        """The framework's debug mode, as the development server runs the app."""
        self.app.debug = True

    def cookie(self, name: str) -> str | None:
        for cookie in self._client.cookie_jar or ():
            if cookie.name == name:
                return cookie.value
        return None

    def set_cookie(self, name: str, value: str) -> None:
        """As a browser holding a copied cookie would send it."""
        self._client.set_cookie("localhost", name, value)

    def close(self) -> None:
        self._loop.run_until_complete(self._test_app.shutdown())
        self._loop.close()

    def _run(self, request: Any) -> Page:
        async def send() -> Page:
            response = await request
            text = await response.get_data(as_text=True)
            headers = {name.lower(): value for name, value in response.headers.items()}
            return Page(response.status_code, headers, text)

        return self._loop.run_until_complete(send())

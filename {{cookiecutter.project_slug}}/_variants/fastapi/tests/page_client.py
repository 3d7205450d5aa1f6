"""A small synchronous test client over Starlette's `TestClient`, returning `Page`s (pages.py).

The app's lifespan (startup and shutdown) runs as under a real server; redirects are not
followed, as a browser's next step is the test's to take."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Route

from logto_kit.sessions.interface import COOKIE_NAME, opened_session

from .pages import Page


class PageClient:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._client = TestClient(app, base_url="http://localhost", follow_redirects=False)
        self._client.__enter__()

    def get(self, path: str, query: dict[str, str] | None = None) -> Page:
        return self._page(self._client.get(path, params=query))

    def post(self, path: str, form: dict[str, str] | None = None) -> Page:
        return self._page(self._client.post(path, data=form or {}))

    def call(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | list[tuple[str, str]] | None = None,
        json: Any = None,
    ) -> Page:
        """Any method, with `headers` (a list may name one twice) and a JSON body: as an API
        client calls."""
        sent = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        body = {} if json is None else {"json": json}
        return self._page(self._client.request(method, path, headers=sent, **body))

    def session(self) -> dict[str, Any]:
        """The session the client's cookie opens, as a request would see it."""
        return opened_session(self.app, self.cookie(COOKIE_NAME) or "")

    def extension(self, name: str) -> Any:
        """What `init_app` keeps on the app under `name` (`logto_auth`, ...)."""
        return getattr(self.app.state, name)

    def page_paths(self) -> list[str]:
        """Every GET route of the app that takes no parameter."""
        routes = [r for r in all_routes(self.app.routes) if isinstance(r, Route)]
        return sorted(
            {r.path for r in routes if "GET" in (r.methods or ()) and not r.param_convertors}
        )

    def session_store(self) -> Any:
        """The store of the app's server-side sessions (a project with one)."""
        return self.app.state.session_interface.store

    def enable_debug(self) -> None:
        """The framework's debug mode, as the development server runs the app (Starlette's
        error middleware takes it when the middleware is built again)."""
        self.app.debug = True
        self.app.middleware_stack = None

    def cookie(self, name: str) -> str | None:
        return self._client.cookies.get(name)

    def set_cookie(self, name: str, value: str) -> None:
        """As a browser holding a copied cookie would send it (and as the app's own cookies
        are kept: the cookie jar's name for a host without dots)."""
        self._client.cookies.jar.clear_session_cookies()
        self._client.cookies.set(name, value, domain="localhost.local")

    def close(self) -> None:
        self._client.__exit__(None, None, None)

    @staticmethod
    def _page(response: Any) -> Page:
        return Page(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.text,
        )


def all_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route, those of included routers too (kept apart from `app.routes` by recent
    FastAPI releases)."""
    for route in routes:
        yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from all_routes(included.routes)

"""A small synchronous test client over Flask's, returning `Page`s (pages.py)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.datastructures import Headers

from .pages import Page


class PageClient:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._client = app.test_client()

    def get(self, path: str, query: dict[str, str] | None = None) -> Page:
        return self._page(self._client.get(path, query_string=query))

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
        sent = Headers(headers or {})
        return self._page(self._client.open(path, method=method, headers=sent, json=json))

    def session(self) -> dict[str, Any]:
        with self._client.session_transaction() as session:
            return dict(session)

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
        cookie = self._client.get_cookie(name)
        return cookie.value if cookie else None

    def set_cookie(self, name: str, value: str) -> None:
        """As a browser holding a copied cookie would send it."""
        self._client.set_cookie(name, value)

    def close(self) -> None:
        pass

    @staticmethod
    def _page(response: Any) -> Page:
        return Page(
            response.status_code,
            {name.lower(): value for name, value in response.headers.items()},
            response.get_data(as_text=True),
        )

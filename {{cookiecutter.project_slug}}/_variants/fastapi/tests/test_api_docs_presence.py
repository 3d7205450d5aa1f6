"""The OpenAPI schema holds the API alone (the pages are not API), and `/docs` exists only in
projects with the protected API (test_api_dependencies.py checks the page itself)."""

from __future__ import annotations

import json

from logto_kit.about import PROTECTED_API

from .page_client import PageClient


def test_docs_only_with_the_api(client: PageClient) -> None:
    assert client.get("/docs").status == (200 if PROTECTED_API else 404)
    assert client.get("/redoc").status == 404
    paths = json.loads(client.get("/openapi.json").text)["paths"]
    assert all(path.startswith("/api/") for path in paths), sorted(paths)
    assert bool(paths) is PROTECTED_API

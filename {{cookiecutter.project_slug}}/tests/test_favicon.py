"""/favicon.ico, which browsers fetch on their own: the app's icon, served like static files."""

from __future__ import annotations

from .page_client import PageClient

ICON = "/static/favicon.svg"


def test_favicon_ico_is_the_static_icon(client: PageClient) -> None:
    page = client.get("/favicon.ico")
    static = client.get(ICON)
    assert page.status == static.status == 200
    assert page.headers["content-type"].startswith("image/svg+xml")
    assert page.text.startswith("<svg ") and page.text == static.text
    for name in ("cache-control", "etag"):
        assert page.headers.get(name) == static.headers.get(name), name
    assert "set-cookie" not in page.headers


def test_pages_link_the_icon(client: PageClient) -> None:
    home = client.get("/")
    assert f'<link rel="icon" href="{ICON}" type="image/svg+xml">' in home.text

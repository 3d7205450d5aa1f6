"""Every HTML page the app serves has a plain-text `<title>` (what a tab, a bookmark and a
screen reader announce): every route without parameters, signed out and signed in, and the
error pages. A template that puts markup inside the title block fails here."""

from __future__ import annotations

import html
import re

from logto_kit.about import PROJECT_NAME

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient
from .pages import Page

TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def title_of(page: Page) -> str:
    """The page's title as a browser shows it (entities decoded); fails on markup in it."""
    (raw,) = TITLE.findall(page.text)
    assert "<" not in raw and ">" not in raw, f"markup in the title: {raw!r}"
    text = html.unescape(raw)
    assert text == text.strip() and "\n" not in text and text, f"not one line: {raw!r}"
    return text


def html_pages(client: PageClient, paths: list[str]) -> dict[str, Page]:
    """The answers that are whole HTML documents (a view may return a fragment or a plain
    string: it has no title to check)."""
    pages = {path: client.get(path) for path in paths}
    return {
        path: page
        for path, page in pages.items()
        if page.headers.get("content-type", "").startswith("text/html")
        and "<html" in page.text.lower()
        and not 300 <= page.status < 400
    }


def test_every_page_title_is_plain_text(client: PageClient, logto: FakeLogto) -> None:
    paths = client.page_paths()
    signed_out = html_pages(client, [*paths, "/no-such-page", "/callback?state=forged"])
    sign_in(client, logto)
    signed_in = html_pages(client, [*paths, "/no-such-page"])
    pages = [*signed_out.values(), *signed_in.values()]
    assert len(pages) >= 6, sorted(signed_out) + sorted(signed_in)  # home, profile, errors...
    for page in pages:
        assert title_of(page).endswith(PROJECT_NAME), title_of(page)
    assert title_of(signed_in["/profile"]) == f"Profile · {PROJECT_NAME}"
    assert title_of(signed_out["/no-such-page"]) != PROJECT_NAME  # the error's own title

"""Pages rendered once per what they show, for both frameworks.

A page that takes nothing but who is signed in (the home page, the sign-out confirmation) is
the same HTML on every request of a sign-in: its templates read only their context (no
request, session, flashed message or clock), and that context follows from the ID token (the
user's claims), the session's CSRF token and the path the app is mounted at. So its HTML is
kept under those and rendered again only when one of them changes: a renewal brings a new ID
token, another session has another CSRF token. Rendering is most of what a signed-in page
costs beyond opening the session (docs/benchmarks.md); escaping is unchanged, as the kept
HTML is what the templates rendered.

Pages with more context (the profile, error pages) are rendered every time. With templates
reloaded as they change (the development server), nothing is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_PAGES = 4096  # a couple of KB each: at most ~10 MB per worker


class RenderedPages:
    """The most recently used MAX_PAGES pages, by key; safe across threads."""

    def __init__(self, enabled: Callable[[], bool], max_pages: int = MAX_PAGES) -> None:
        self.enabled, self.max_pages = enabled, max_pages  # asked at each keep
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            html = self._pages.get(key)
            if html is not None:
                self._pages.move_to_end(key)
            return html

    def keep(self, key: Hashable, html: str) -> None:
        if not self.enabled():
            return
        with self._lock:
            self._pages[key] = html
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)


def page_key(
    template: str, status: int, root_path: str, id_token: str | None, csrf: str | None
) -> tuple[str, int, str, str | None, str | None]:
    """What a page that takes nothing but the signed-in user is a function of."""
    return (template, status, root_path, id_token, csrf)

"""The links every page builds (the stylesheet, the icon, the header's links), built once.

`url_for` walks the app's URL map on every call; a signed-in page makes half a dozen of the
same calls on every request. `BuiltUrls` keeps what it built, per script root (the path the
app is mounted at), and builds anything else - external URLs, anchors, a blueprint-relative
endpoint - as `url_for` always does. Both frameworks use it for their templates' `url_for`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

MAX_KEPT = 512  # links of fixed arguments; a varying `next=` fills this, then is built each time


class BuiltUrls:
    """`url_for` for templates, remembering each (script root, endpoint, arguments) it built."""

    def __init__(self, build: Callable[..., str], script_root: Callable[[], str]) -> None:
        self.build, self.script_root = build, script_root
        self._kept: dict[Hashable, str] = {}

    def __call__(self, endpoint: str, **values: Any) -> str:
        if endpoint.startswith(".") or any(name.startswith("_") for name in values):
            return self.build(endpoint, **values)
        key = (self.script_root(), endpoint, *sorted(values.items()))
        try:
            return self._kept[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable argument
            return self.build(endpoint, **values)
        url = self.build(endpoint, **values)
        if len(self._kept) < MAX_KEPT:
            self._kept[key] = url
        return url

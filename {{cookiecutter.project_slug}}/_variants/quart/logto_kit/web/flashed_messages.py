"""Templates' `get_flashed_messages`: Quart's, except that a page with nothing flashed leaves
the session unchanged. Quart's own pops `_flashes` whether or not it is there, which marks
every session modified on every page: a new cookie on each response, a store write for
server-side sessions."""

from __future__ import annotations

from typing import Any

import quart
from quart import session
from quart.globals import request_ctx


def get_flashed_messages(with_categories: bool = False, category_filter: Any = ()) -> Any:
    if request_ctx.flashes is None and "_flashes" not in session:
        request_ctx.flashes = []  # type: ignore[assignment]
    return quart.get_flashed_messages(with_categories, category_filter)

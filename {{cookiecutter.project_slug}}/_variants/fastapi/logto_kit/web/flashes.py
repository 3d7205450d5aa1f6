"""Messages for the next page a user sees, kept in the session's `_flashes` (a list of
`(category, message)`, the layout every framework of the template uses): `base.html` shows
them.

    from logto_kit.web import flash

    flash(request, "Saved.")
    return RedirectResponse(request.url_for("pages.orders"), status_code=303)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request

KEY = "_flashes"


def flash(request: Request, message: str, category: str = "message") -> None:
    """Show `message` on the next page rendered for this session."""
    flashes = list(request.session.get(KEY, ()))
    flashes.append((category, message))
    request.session[KEY] = flashes


def get_flashed_messages(
    request: Request, with_categories: bool = False, category_filter: Iterable[str] = ()
) -> list[Any]:
    """The messages flashed for this session, taken out of it: every call in one request gets
    the same list."""
    if "session" not in request.scope:  # a path served without a session
        return []
    taken = getattr(request.state, "flashes", None)
    if taken is None:
        taken = request.state.flashes = [tuple(item) for item in request.session.pop(KEY, ())]
    wanted = set(category_filter)
    chosen = [item for item in taken if not wanted or item[0] in wanted]
    return chosen if with_categories else [message for _, message in chosen]

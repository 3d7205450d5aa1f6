"""The signed-in user in Flask's own idioms: `current_user()`, `@login_required`, and a
context processor that gives every template (plain `render_template` included) `user`,
`user_name` and the sign-in buttons. What they decide is in `auth/signed_in.py`.

    from .signed_in import current_user, login_required

    @blueprint.get("/orders")
    @login_required
    def orders() -> str:
        return render_template("orders.html", orders=orders_of(current_user()["sub"]))
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, redirect, request, url_for

from ..auth.logto_auth import NEEDS_REFRESH, LogtoAuth
from ..auth.signed_in import RequestUser, User, page_context, sign_in_next
from .async_bridge import run_coroutine

View = TypeVar("View", bound=Callable[..., Any])


def logto_auth() -> LogtoAuth:
    """The app's sign-in flow (one per app)."""
    return cast(LogtoAuth, current_app.extensions["logto_auth"])


def request_user() -> RequestUser:
    seen = g.get("request_user")
    if seen is None:
        seen = g.request_user = RequestUser(logto_auth())
    return cast(RequestUser, seen)


def current_user() -> User | None:
    """The signed-in user's ID token claims, or None. Only an expired ID token calls Logto
    (to renew it, once per request); while Logto cannot be reached for that, raises
    `Failure`, which the app answers with its 503 page."""
    return user_seen_by(request_user())


def user_seen_by(seen: RequestUser) -> User | None:
    known = seen.known()
    if known is NEEDS_REFRESH:
        return run_coroutine(seen.renewed())
    return known


def current_userinfo() -> tuple[User | None, str | None]:
    """Logto's userinfo for the signed-in user (asked for once per sign-in, then kept in the
    session), and a notice to show instead when Logto could not answer."""
    auth = logto_auth()
    cached = auth.cached_userinfo()
    if cached is not None:
        return cached, None
    return run_coroutine(auth.fetch_userinfo())


def login_required(view: View) -> View:
    """Send a signed-out visitor through sign-in, then back to the page they asked for."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("logto.sign_in", next=sign_in_next(request.full_path)))
        return view(*args, **kwargs)

    return cast(View, wrapper)


def signed_in_context() -> dict[str, Any]:
    """Every template's `user`, `user_name` and `sign_in_options` (a context processor)."""
    seen = request_user()
    if seen.showing_failure:
        return page_context(None)
    return page_context(user_seen_by(seen))


def register_signed_in_context(app: Flask) -> None:
    app.context_processor(signed_in_context)

"""The signed-in user in FastAPI's own idioms: dependencies, and every page's template context.

    from logto_kit.web import CurrentUser

    @router.get("/orders", name="pages.orders")
    async def orders(request: Request, user: CurrentUser) -> HTMLResponse:
        context = {"orders": await orders_of(user["sub"])}
        return templates.TemplateResponse(request, "orders.html", context)

`CurrentUser` is the signed-in user's ID token claims (a signed-out visitor is sent through
sign-in and back); `await current_user()` is the user or None. What they decide is in
`auth/signed_in.py`.

Each request gets its `RequestUser` from `SignedInUsers` (a middleware) before any route runs:
a session whose ID token has expired is renewed there, once, so that every template (rendered
without an `await`) sees the renewed user; a renewal that failed is raised where the user is
looked at, and answered with the 503 page.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ..auth.failures import Failure
from ..auth.logto_auth import NEEDS_REFRESH, LogtoAuth
from ..auth.signed_in import RequestUser, User, page_context, sign_in_next

_REQUEST_USER: ContextVar[RequestUser] = ContextVar("request_user")
#: Paths served without looking at the visitor: static files and the health checks.
UNSEEN_PREFIXES = ("/static/", "/healthz", "/readyz")


class SignInRequired(Exception):
    """A signed-out visitor asked for a page that needs a user: sent to sign in, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class SignedInUsers:
    """ASGI middleware: each request's `RequestUser`, settled (renewed if expired) up front."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNSEEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        seen = SettledUser(scope["app"].state.logto_auth)
        token = _REQUEST_USER.set(seen)
        try:
            await seen.settle()
            await self.app(scope, receive, send)
        finally:
            _REQUEST_USER.reset(token)


class SettledUser(RequestUser):
    """A `RequestUser` whose look at the user was made once before the route: what a template
    shows when the ID token expires while the page is served (valid when the request began,
    and for `EXPIRY_MARGIN_SECONDS` more)."""

    def __init__(self, auth: LogtoAuth) -> None:
        super().__init__(auth)
        self.auth = auth
        self._at_start: User | None = None
        self._token_at_start: str | None = None

    async def settle(self) -> None:
        with contextlib.suppress(Failure):  # remembered: raised where the user is looked at
            self._at_start = await user_seen_by(self)
        self._token_at_start = self.auth.id_token()  # the one `_at_start` was read from

    def shown(self) -> User | None:
        """The user for a template: no call to Logto, never a renewal. While the session holds
        the ID token the request began with (or renewed), its claims as read then."""
        token = self._token_at_start
        if token is not None and not self.failed and self.auth.id_token() == token:
            return self._at_start
        known = self.known()
        return self._at_start if known is NEEDS_REFRESH else known


def request_user() -> SettledUser:
    try:
        return cast(SettledUser, _REQUEST_USER.get())
    except LookupError:
        raise RuntimeError("no signed-in user: this runs outside a request") from None


def logto_auth() -> LogtoAuth:
    """The app's sign-in flow (one per app)."""
    return request_user().auth


async def user_seen_by(seen: RequestUser) -> User | None:
    known = seen.known()
    if known is NEEDS_REFRESH:
        return await seen.renewed()
    return known


async def current_user() -> User | None:
    """The signed-in user's ID token claims, or None. Only an expired ID token calls Logto
    (to renew it, once per request); while Logto cannot be reached for that, raises
    `Failure`, which the app answers with its 503 page. Also a dependency."""
    return await user_seen_by(request_user())


async def current_userinfo() -> tuple[User | None, str | None]:
    """Logto's userinfo for the signed-in user (asked for once per sign-in, then kept in the
    session), and a notice to show instead when Logto could not answer."""
    auth = logto_auth()
    cached = auth.cached_userinfo()
    if cached is not None:
        return cached, None
    return await auth.fetch_userinfo()


async def login_required(request: Request) -> User:
    """A dependency: the signed-in user; a signed-out visitor is sent through sign-in, then
    back to the page they asked for (`dependencies=[Depends(login_required)]` on a router
    guards all its routes)."""
    user = await current_user()
    if user is None:
        query = request.url.query
        raise SignInRequired(sign_in_next(request.url.path + (f"?{query}" if query else "")))
    return user


#: The signed-in user, as a view's parameter: `user: CurrentUser`.
CurrentUser = Annotated[User, Depends(login_required)]


def signed_in_context(request: Request) -> dict[str, Any]:
    """Every template's `user`, `user_name` and `sign_in_options`."""
    try:
        seen = request_user()
    except RuntimeError:  # a path served without looking at the visitor
        return page_context(None)
    if seen.showing_failure:
        return page_context(None)
    return page_context(seen.shown())

"""The pages and the sign-in routes (Quart). Nothing here blocks the event loop."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from quart import (
    Blueprint,
    Quart,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from quart import Response as QuartResponse
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..auth.csrf import csrf_token
from ..auth.failures import SESSIONS_UNAVAILABLE, Failure
from ..auth.logto_auth import NEEDS_REFRESH, LogtoAuth, display_name
from ..auth.sign_in_options import SignInOption
from ..connectors import CHOSEN
from ..sessions import SessionStoreError
from ..sessions.interface import regenerate_session_id
from .rendered_pages import RenderedPages, page_key

blueprint = Blueprint("pages", __name__)
# Quart runs Flask's sync default context processor in a thread on every render; these pages
# pass what they need explicitly, so drop it (measured: ~150 us of CPU per page).
blueprint.template_context_processors.pop(None, None)
SIGN_IN_OPTIONS = {connector.button.slug: connector.button for connector in CHOSEN}
View = TypeVar("View", bound=Callable[..., Awaitable[Any]])
Page = tuple[str, int]
FAVICON = "favicon.svg"  # in static/


def logto_auth() -> LogtoAuth:
    return cast(LogtoAuth, current_app.extensions["logto_auth"])


def login_required(view: View) -> View:
    """Send a signed-out visitor through sign-in, then back to the page they asked for."""

    @functools.wraps(view)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            user = await signed_in_user()
        except Failure as failure:
            return await failure_page(failure)
        if user is None:
            return redirect(url_for("pages.sign_in", next=request.full_path.rstrip("?")))
        return await view(*args, **kwargs)

    return cast(View, wrapper)


async def signed_in_user() -> dict[str, Any] | None:
    """The user's ID token claims, or None when signed out. Only an expired ID token calls
    Logto (to renew it, at most once a request); raises `Failure` (503) while Logto cannot be
    reached for it."""
    auth = logto_auth()
    user = auth.current_user()
    if user is not NEEDS_REFRESH:
        return user
    if "refresh_failure" in g:  # this request tried already
        raise g.refresh_failure
    if "renewed_user" in g:  # this request renewed it already (a short-lived token stays so)
        return cast(dict[str, Any] | None, g.renewed_user)
    try:
        g.renewed_user = await auth.refreshed_user()
    except Failure as failure:
        g.refresh_failure = failure
        raise
    return cast(dict[str, Any] | None, g.renewed_user)


async def page(template: str, status: int = 200, **context: Any) -> Page:
    """`template` for the current user; one that takes nothing else is rendered once per
    sign-in (rendered_pages.py)."""
    only_the_user = not context
    try:
        user = await signed_in_user()
    except Failure as failure:  # Logto unreachable while renewing an expired sign-in
        template, status, user, only_the_user = "error.html", failure.status, None, False
        context = {"title": failure.title, "message": failure.message}
    if user is not None:
        context.setdefault("user_name", display_name(user))
        context.setdefault("csrf_token", csrf_token(session))
    else:
        context.setdefault("sign_in_options", SIGN_IN_OPTIONS.values())
    if not only_the_user:
        return await render_template(template, user=user, **context), status
    id_token = logto_auth().client.getIdToken() if user is not None else None
    key = page_key(template, status, request.root_path, id_token, context.get("csrf_token"))
    pages = rendered_pages()
    html = pages.get(key)
    if html is None:
        html = await render_template(template, user=user, **context)
        pages.keep(key, html)
    return html, status


def rendered_pages() -> RenderedPages:
    return cast(RenderedPages, current_app.extensions["rendered_pages"])


async def failure_page(failure: Failure) -> Page:
    context = {"title": failure.title, "message": failure.message}
    return await page("error.html", failure.status, sign_in_again=failure.sign_in_again, **context)


async def bare_failure_page(failure: Failure) -> Page:
    """The error page without the session: for when the session store failed."""
    context: dict[str, Any] = {"title": failure.title, "message": failure.message}
    context["sign_in_again"] = failure.sign_in_again
    return await render_template("error.html", user=None, **context), failure.status


@blueprint.get("/")
async def home() -> Page:
    return await page("home.html")


@blueprint.get("/profile")
@login_required
async def profile() -> Page:
    userinfo, notice = logto_auth().cached_userinfo(), None
    if userinfo is None:
        userinfo, notice = await logto_auth().fetch_userinfo()
    return await page("profile.html", userinfo=userinfo, userinfo_error=notice)


@blueprint.get("/healthz")
async def healthz() -> tuple[str, int, dict[str, str]]:
    """Liveness for containers and load balancers: no session, no sign-in, no call to Logto."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@blueprint.get("/favicon.ico")
async def favicon() -> QuartResponse:
    """What browsers ask for without a page's `<link rel="icon">`: the static icon."""
    return await current_app.send_static_file(FAVICON)


@blueprint.get("/sign-in")
async def sign_in() -> Response | Page:
    return await start_sign_in(sign_up=False)


@blueprint.get("/sign-up")
async def sign_up() -> Response | Page:
    return await start_sign_in(sign_up=True)


@blueprint.get("/sign-in/<option>")
async def sign_in_with(option: str) -> Response | Page:
    """Phone or Patreon sign-in: Logto opens on that screen (or goes straight to Patreon)."""
    if option not in SIGN_IN_OPTIONS:
        abort(404)
    return await start_sign_in(sign_up=False, option=SIGN_IN_OPTIONS[option])


async def start_sign_in(*, sign_up: bool, option: SignInOption | None = None) -> Response | Page:
    next_path = request.args.get("next")
    try:
        return redirect(await logto_auth().sign_in_url(next_path, sign_up=sign_up, option=option))
    except Failure as failure:
        return await failure_page(failure)


@blueprint.get("/callback")
async def callback() -> Response | Page:
    auth = logto_auth()
    try:
        next_path = await auth.complete_sign_in(request.url, request.args.get("error"))
    except Failure as failure:
        return await failure_page(failure)
    regenerate_session_id()  # signed in now: a new session id (no fixation)
    return redirect(next_path)


@blueprint.get("/sign-out")
async def confirm_sign_out() -> Response | Page:
    try:
        user = await signed_in_user()
    except Failure as failure:
        return await failure_page(failure)
    if user is None:
        return redirect(url_for("pages.home"))
    return await page("sign_out.html")


@blueprint.post("/sign-out")
async def sign_out() -> Response | Page:
    form = await request.form
    try:
        return redirect(await logto_auth().sign_out_url(form.get("csrf_token")))
    except Failure as failure:
        return await failure_page(failure)


def register_error_pages(app: Quart) -> None:
    @app.errorhandler(SessionStoreError)
    async def sessions_unavailable(error: SessionStoreError) -> Page:
        return await bare_failure_page(SESSIONS_UNAVAILABLE)

    app.register_error_handler(HTTPException, http_error_page)


async def http_error_page(error: HTTPException) -> Page:
    """The error page for a 404, 405, 400 ... (and a 503 when saving the session failed)."""
    if isinstance(getattr(error, "original_exception", None), SessionStoreError):
        return await bare_failure_page(SESSIONS_UNAVAILABLE)  # saving the session failed
    status = error.code or 500
    return await failure_page(
        Failure(status, f"{status} {error.name}", error.description or "", sign_in_again=False)
    )

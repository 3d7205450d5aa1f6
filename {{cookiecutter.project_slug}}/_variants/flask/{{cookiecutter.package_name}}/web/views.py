"""The pages and the sign-in routes (Flask). Only routes that talk to Logto run coroutines,
and a page only when its user's ID token has expired (to renew it); the rest are plain sync
views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..auth.csrf import csrf_token
from ..auth.failures import SESSIONS_UNAVAILABLE, Failure
from ..auth.logto_auth import NEEDS_REFRESH, LogtoAuth, display_name
from ..auth.sign_in_options import SignInOption
from ..connectors import CHOSEN
from ..sessions import SessionStoreError
from ..sessions.interface import regenerate_session_id
from .async_bridge import run_coroutine
from .rendered_pages import RenderedPages, page_key

blueprint = Blueprint("pages", __name__)
SIGN_IN_OPTIONS = {connector.button.slug: connector.button for connector in CHOSEN}
View = TypeVar("View", bound=Callable[..., Any])
Page = tuple[str, int]
FAVICON = "favicon.svg"  # in static/


def logto_auth() -> LogtoAuth:
    return cast(LogtoAuth, current_app.extensions["logto_auth"])


def login_required(view: View) -> View:
    """Send a signed-out visitor through sign-in, then back to the page they asked for."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            user = signed_in_user()
        except Failure as failure:
            return failure_page(failure)
        if user is None:
            return redirect(url_for("pages.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(View, wrapper)


def signed_in_user() -> dict[str, Any] | None:
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
        g.renewed_user = run_coroutine(auth.refreshed_user())
    except Failure as failure:
        g.refresh_failure = failure
        raise
    return cast(dict[str, Any] | None, g.renewed_user)


def page(template: str, status: int = 200, **context: Any) -> Page:
    """`template` for the current user; one that takes nothing else is rendered once per
    sign-in (rendered_pages.py)."""
    only_the_user = not context
    try:
        user = signed_in_user()
    except Failure as failure:  # Logto unreachable while renewing an expired sign-in
        template, status, user, only_the_user = "error.html", failure.status, None, False
        context = {"title": failure.title, "message": failure.message}
    if user is not None:
        context.setdefault("user_name", display_name(user))
        context.setdefault("csrf_token", csrf_token(session))
    else:
        context.setdefault("sign_in_options", SIGN_IN_OPTIONS.values())
    if not only_the_user:
        return render_template(template, user=user, **context), status
    id_token = logto_auth().client.getIdToken() if user is not None else None
    key = page_key(template, status, request.root_path, id_token, context.get("csrf_token"))
    pages = rendered_pages()
    html = pages.get(key)
    if html is None:
        html = render_template(template, user=user, **context)
        pages.keep(key, html)
    return html, status


def rendered_pages() -> RenderedPages:
    return cast(RenderedPages, current_app.extensions["rendered_pages"])


def failure_page(failure: Failure) -> Page:
    context = {"title": failure.title, "message": failure.message}
    return page("error.html", failure.status, sign_in_again=failure.sign_in_again, **context)


def bare_failure_page(failure: Failure) -> Page:
    """The error page without the session: for when the session store failed."""
    context: dict[str, Any] = {"title": failure.title, "message": failure.message}
    context["sign_in_again"] = failure.sign_in_again
    return render_template("error.html", user=None, **context), failure.status


@blueprint.get("/")
def home() -> Page:
    return page("home.html")


@blueprint.get("/profile")
@login_required
def profile() -> Page:
    userinfo, notice = logto_auth().cached_userinfo(), None
    if userinfo is None:
        userinfo, notice = run_coroutine(logto_auth().fetch_userinfo())
    return page("profile.html", userinfo=userinfo, userinfo_error=notice)


@blueprint.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """Liveness for containers and load balancers: no session, no sign-in, no call to Logto."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """What browsers ask for without a page's `<link rel="icon">`: the static icon."""
    return current_app.send_static_file(FAVICON)


@blueprint.get("/sign-in")
def sign_in() -> Response | Page:
    return start_sign_in(sign_up=False)


@blueprint.get("/sign-up")
def sign_up() -> Response | Page:
    return start_sign_in(sign_up=True)


@blueprint.get("/sign-in/<option>")
def sign_in_with(option: str) -> Response | Page:
    """Phone or Patreon sign-in: Logto opens on that screen (or goes straight to Patreon)."""
    if option not in SIGN_IN_OPTIONS:
        abort(404)
    return start_sign_in(sign_up=False, option=SIGN_IN_OPTIONS[option])


def start_sign_in(*, sign_up: bool, option: SignInOption | None = None) -> Response | Page:
    starting = logto_auth().sign_in_url(request.args.get("next"), sign_up=sign_up, option=option)
    try:
        return redirect(run_coroutine(starting))
    except Failure as failure:
        return failure_page(failure)


@blueprint.get("/callback")
def callback() -> Response | Page:
    completion = logto_auth().complete_sign_in(request.url, request.args.get("error"))
    try:
        next_path = run_coroutine(completion)
    except Failure as failure:
        return failure_page(failure)
    regenerate_session_id()  # signed in now: a new session id (no fixation)
    return redirect(next_path)


@blueprint.get("/sign-out")
def confirm_sign_out() -> Response | Page:
    try:
        user = signed_in_user()
    except Failure as failure:
        return failure_page(failure)
    if user is None:
        return redirect(url_for("pages.home"))
    return page("sign_out.html")


@blueprint.post("/sign-out")
def sign_out() -> Response | Page:
    try:
        return redirect(run_coroutine(logto_auth().sign_out_url(request.form.get("csrf_token"))))
    except Failure as failure:
        return failure_page(failure)


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(SessionStoreError)
    def sessions_unavailable(error: SessionStoreError) -> Page:
        return bare_failure_page(SESSIONS_UNAVAILABLE)

    app.register_error_handler(HTTPException, http_error_page)


def http_error_page(error: HTTPException) -> Page:
    """The error page for a 404, 405, 400 ... (and a 503 when saving the session failed)."""
    if isinstance(getattr(error, "original_exception", None), SessionStoreError):
        return bare_failure_page(SESSIONS_UNAVAILABLE)  # saving the session failed
    status = error.code or 500
    title, message = f"{status} {error.name}", error.description or ""
    return failure_page(Failure(status, title, message, sign_in_again=False))

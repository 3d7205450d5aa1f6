"""The pages and the sign-in routes (Quart). Nothing here blocks the event loop."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from logto import LogtoException
from quart import (
    Blueprint,
    Quart,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .callback_errors import CallbackFailure
from .csrf import csrf_token, csrf_token_matches
from .logto_auth import LogtoAuth, display_name
from .logto_client import IdpUnavailable

blueprint = Blueprint("pages", __name__)
logger = logging.getLogger(__name__)
View = TypeVar("View", bound=Callable[..., Awaitable[Any]])


def logto_auth() -> LogtoAuth:
    return cast(LogtoAuth, current_app.extensions["logto_auth"])


def login_required(view: View) -> View:
    """Send a signed-out visitor through sign-in, then back to the page they asked for."""

    @functools.wraps(view)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not logto_auth().client.isAuthenticated():
            return redirect(url_for("pages.sign_in", next=request.full_path.rstrip("?")))
        return await view(*args, **kwargs)

    return cast(View, wrapper)


async def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    user = logto_auth().current_user()
    if user is not None:
        context.setdefault("user_name", display_name(user))
        context.setdefault("csrf_token", csrf_token(session))
    return await render_template(template, user=user, **context), status


async def error_page(status: int, title: str, message: str) -> tuple[str, int]:
    return await page("error.html", status, title=title, message=message)


@blueprint.get("/")
async def home() -> tuple[str, int]:
    return await page("home.html")


@blueprint.get("/profile")
@login_required
async def profile() -> tuple[str, int]:
    auth = logto_auth()
    userinfo, userinfo_error = auth.cached_userinfo(), None
    if userinfo is None:
        try:
            userinfo = await auth.fetch_userinfo()
        except (IdpUnavailable, LogtoException) as error:
            logger.warning("userinfo request failed: %s", error)
            userinfo_error = "Logto's userinfo endpoint could not be reached; showing the ID token."
    return await page("profile.html", userinfo=userinfo, userinfo_error=userinfo_error)


@blueprint.get("/sign-in")
async def sign_in() -> Response | tuple[str, int]:
    return await start_sign_in(sign_up=False)


@blueprint.get("/sign-up")
async def sign_up() -> Response | tuple[str, int]:
    return await start_sign_in(sign_up=True)


async def start_sign_in(*, sign_up: bool) -> Response | tuple[str, int]:
    try:
        url = await logto_auth().sign_in_url(request.args.get("next"), sign_up=sign_up)
    except IdpUnavailable as error:
        logger.warning("cannot start sign-in: %s", error)
        return await error_page(503, "Logto is unreachable", "Please try again in a moment.")
    return redirect(url)


@blueprint.get("/callback")
async def callback() -> Response | tuple[str, int]:
    auth = logto_auth()
    try:
        next_path = await auth.complete_sign_in(request.url, request.args.get("error"))
    except CallbackFailure as failure:
        return await error_page(failure.status, failure.title, failure.message)
    return redirect(next_path)


@blueprint.get("/sign-out")
async def confirm_sign_out() -> Response | tuple[str, int]:
    if not logto_auth().client.isAuthenticated():
        return redirect(url_for("pages.home"))
    return await page("sign_out.html")


@blueprint.post("/sign-out")
async def sign_out() -> Response | tuple[str, int]:
    form = await request.form
    if not csrf_token_matches(session, form.get("csrf_token")):
        return await error_page(
            400, "Sign-out not confirmed", "The form expired; please try again."
        )
    try:
        return redirect(await logto_auth().sign_out_url())
    except IdpUnavailable as error:
        logger.warning("signed out locally, but Logto is unreachable: %s", error)
        return await error_page(
            503,
            "Signed out of this app only",
            "Logto could not be reached to end your Logto session; try signing out again later.",
        )


def register_error_pages(app: Quart) -> None:
    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        return await error_page(status, f"{status} {error.name}", error.description or "")

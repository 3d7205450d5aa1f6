"""Sign-in, sign-up, the callback and sign-out (Quart): each route hands the request to
`auth/logto_auth.py`. A `Failure` it raises is answered with the error page (error_pages.py).
After each completed sign-in, `user_signed_in` (auth/events.py) is sent with the user."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from quart import Blueprint, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response

from ..auth.events import user_signed_in
from ..auth.sign_in_options import SignInOption
from ..auth.signed_in import SIGN_IN_OPTIONS
from ..sessions.interface import regenerate_session_id
from .signed_in import current_user, logto_auth

# Its templates (`logto/error.html`, ...) extend the app's `base.html`; an app overrides one by
# having its own `templates/logto/<name>.html`.
blueprint = Blueprint("logto", __name__, template_folder="templates")


@blueprint.get("/sign-in")
async def sign_in() -> Response:
    return await start_sign_in(sign_up=False)


@blueprint.get("/sign-up")
async def sign_up() -> Response:
    return await start_sign_in(sign_up=True)


@blueprint.get("/sign-in/<option>")
async def sign_in_with(option: str) -> Response:
    """A chosen connector's sign-in: Logto opens where its button points."""
    if option not in SIGN_IN_OPTIONS:
        abort(404)
    return await start_sign_in(sign_up=False, option=SIGN_IN_OPTIONS[option])


async def start_sign_in(*, sign_up: bool, option: SignInOption | None = None) -> Response:
    next_path = request.args.get("next")
    return redirect(await logto_auth().sign_in_url(next_path, sign_up=sign_up, option=option))


@blueprint.get("/callback")
async def callback() -> Response:
    next_path = await logto_auth().complete_sign_in(request.url, request.args.get("error"))
    regenerate_session_id()  # signed in now: a new session id (no fixation)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    await user_signed_in.send_async(app, _sync_wrapper=_awaitable, user=await current_user())
    return redirect(next_path)


def _awaitable(receiver: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """A plain (sync) receiver of `user_signed_in`, called as the async ones are."""

    async def call(*args: Any, **kwargs: Any) -> Any:
        return receiver(*args, **kwargs)

    return call


@blueprint.get("/sign-out")
async def confirm_sign_out() -> Response | str:
    if await current_user() is None:
        return redirect(request.script_root + "/")
    return await render_template("logto/sign_out.html")


@blueprint.post("/sign-out")
async def sign_out() -> Response:
    """The form's CSRF token is checked before this runs (csrf.py), as for every POST."""
    return redirect(await logto_auth().sign_out_url())

"""Sign-in, sign-up, the callback and sign-out (Flask): each route hands the request to
`auth/logto_auth.py`. A `Failure` it raises is answered with the error page (error_pages.py).
After each completed sign-in, `user_signed_in` (auth/events.py) is sent with the user."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request
from werkzeug.wrappers import Response

from ..auth.events import user_signed_in
from ..auth.sign_in_options import SignInOption
from ..auth.signed_in import SIGN_IN_OPTIONS
from ..sessions.interface import regenerate_session_id
from .async_bridge import run_coroutine
from .signed_in import current_user, logto_auth

# Its templates (`logto/error.html`, ...) extend the app's `base.html`; an app overrides one by
# having its own `templates/logto/<name>.html`.
blueprint = Blueprint("logto", __name__, template_folder="templates")


@blueprint.get("/sign-in")
def sign_in() -> Response:
    return start_sign_in(sign_up=False)


@blueprint.get("/sign-up")
def sign_up() -> Response:
    return start_sign_in(sign_up=True)


@blueprint.get("/sign-in/<option>")
def sign_in_with(option: str) -> Response:
    """A chosen connector's sign-in: Logto opens where its button points."""
    if option not in SIGN_IN_OPTIONS:
        abort(404)
    return start_sign_in(sign_up=False, option=SIGN_IN_OPTIONS[option])


def start_sign_in(*, sign_up: bool, option: SignInOption | None = None) -> Response:
    starting = logto_auth().sign_in_url(request.args.get("next"), sign_up=sign_up, option=option)
    return redirect(run_coroutine(starting))


@blueprint.get("/callback")
def callback() -> Response:
    completion = logto_auth().complete_sign_in(request.url, request.args.get("error"))
    next_path = run_coroutine(completion)
    regenerate_session_id()  # signed in now: a new session id (no fixation)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    user_signed_in.send(app, user=current_user())
    return redirect(next_path)


@blueprint.get("/sign-out")
def confirm_sign_out() -> Response | str:
    if current_user() is None:
        return redirect(request.script_root + "/")
    return render_template("logto/sign_out.html")


@blueprint.post("/sign-out")
def sign_out() -> Response:
    """The form's CSRF token is checked before this runs (csrf.py), as for every POST."""
    return redirect(run_coroutine(logto_auth().sign_out_url()))

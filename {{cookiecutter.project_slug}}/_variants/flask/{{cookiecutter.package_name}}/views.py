"""This app's own pages: the home page and the profile. Add yours here (or in a blueprint of
their own) the way Flask's docs write them: `render_template` gives every template the
signed-in `user`, `user_name` and `csrf_token()` (every POST needs it), `flash()` messages
show on the next page, and `login_required` / `current_user()` come from `logto_kit.web`."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from werkzeug.wrappers import Response

from logto_kit.web import current_userinfo, login_required

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def home() -> str:
    return render_template("home.html")


@blueprint.get("/profile")
@login_required
def profile() -> str:
    """The ID token's claims and Logto's userinfo (asked for once per sign-in)."""
    userinfo, notice = current_userinfo()
    return render_template("profile.html", userinfo=userinfo, userinfo_error=notice)


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """What browsers ask for without a page's `<link rel="icon">`: the static icon."""
    return current_app.send_static_file("favicon.svg")

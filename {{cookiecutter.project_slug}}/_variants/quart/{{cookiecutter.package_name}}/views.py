"""This app's own pages: the home page and the profile. Add yours here (or in a blueprint of
their own) the way Quart's docs write them: `await render_template` gives every template the
signed-in `user`, `user_name` and `csrf_token()` (every POST needs it), `await flash()` messages
show on the next page, and `login_required` / `await current_user()` come from `logto_kit.web`."""

from __future__ import annotations

from quart import Blueprint, Response, current_app, render_template

from logto_kit.web import current_userinfo, login_required

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
async def home() -> str:
    return await render_template("home.html")


@blueprint.get("/profile")
@login_required
async def profile() -> str:
    """The ID token's claims and Logto's userinfo (asked for once per sign-in)."""
    userinfo, notice = await current_userinfo()
    return await render_template("profile.html", userinfo=userinfo, userinfo_error=notice)


@blueprint.get("/favicon.ico")
async def favicon() -> Response:
    """What browsers ask for without a page's `<link rel="icon">`: the static icon."""
    return await current_app.send_static_file("favicon.svg")

"""The control bench/throughput.py measures the baked apps' signed-in home page against: the
framework itself doing the same page's work, and nothing the baked app adds.

`control_flask()` / `control_quart()` are plain Flask / Quart apps that

- open the session cookie with the framework's own `SecureCookieSessionInterface` (the
  default; SECRET_KEY is the baked app's, so the baked app's cookies open here);
- render the baked app's own templates (its `templates/` and `static/` folders, given by
  path) with the context the baked app gives them: the signed-in user's ID token claims
  (decoded, unverified, from the session: the token was verified when the user signed in),
  `user_name`, the sign-in options, the Jinja globals `project_name`, `shown_claims` and
  `nav_links`, the session's CSRF token, and flashed messages through the framework's own
  `get_flashed_messages` (a Jinja global of both frameworks);
- give the template's `url_for` the baked app's endpoints (`pages.home`, `pages.profile`, ...)
  at the same paths; every page but the home page is a stub.

What this context is lives in `page_context()` and `register_globals()`: the one place to
change when the baked app's templates take something else. bench/throughput.py checks this
control's HTML equal to the baked app's (the CSRF token's value aside) before measuring.

Each is a factory for `gunicorn 'control_app:control_flask()'` (Quart's: in uvicorn workers),
run with `bench/` as the working directory. Settings come from the environment: SECRET_KEY
(the baked app's name for it), and CONTROL_TEMPLATES, CONTROL_STATIC (the baked app's
folders), CONTROL_PROJECT_NAME.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Mapping, MutableMapping
from datetime import timedelta
from typing import Any

import jwt

ID_TOKEN_KEY = "logto.idToken"  # where the Logto SDK's storage keeps the ID token (the bake's)
CSRF_SESSION_KEY = "app.csrf"  # where the baked app keeps the session's CSRF token
SESSION_LIFETIME = timedelta(days=14)  # the baked app's PERMANENT_SESSION_LIFETIME
#: The baked app's page routes: (rule, endpoint, methods), so its templates' links build here.
PAGE_ROUTES = (
    ("/", "home", ("GET",)),
    ("/profile", "profile", ("GET",)),
    ("/sign-in", "sign_in", ("GET",)),
    ("/sign-up", "sign_up", ("GET",)),
    ("/sign-in/<option>", "sign_in_with", ("GET",)),
    ("/sign-out", "confirm_sign_out", ("GET",)),
    ("/sign-out", "sign_out", ("POST",)),
)
#: What the templates call the user: the first of these claims that is set (as the bake does).
NAME_CLAIMS = ("name", "username", "email", "phone_number", "sub")


def signed_in_claims(session: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ID token's claims while it has not expired, else None (signed out)."""
    token = session.get(ID_TOKEN_KEY)
    if not isinstance(token, str):
        return None
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    return claims if isinstance(exp, int) and exp > time.time() else None


def user_name(claims: Mapping[str, Any]) -> str:
    for claim in NAME_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str) and value:
            return value
    return "there"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first need."""
    token = session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str):
        token = session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def page_context(session: MutableMapping[str, Any]) -> dict[str, Any]:
    """What the baked app's pages get besides the Jinja globals (a context processor here)."""
    user = signed_in_claims(session)
    if user is None:
        return {"user": None, "sign_in_options": ()}
    return {"user": user, "user_name": user_name(user), "csrf_token": csrf_token(session)}


def shown_claims(claims: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The profile page's claims list (not on the home page): here as (name, value) pairs."""
    return sorted(claims.items())


def register_globals(app: Any) -> None:
    app.jinja_env.globals.update(
        project_name=os.environ.get("CONTROL_PROJECT_NAME", "Logto Web App"),
        shown_claims=shown_claims,
        nav_links=[],
    )


def configure(app: Any) -> None:
    """The session cookie as the baked app sets it (same key, same lifetime: same check)."""
    app.secret_key = os.environ["SECRET_KEY"]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )
    register_globals(app)


def add_page_routes(blueprint: Any, home: Callable[..., Any], stub: Callable[..., Any]) -> None:
    for rule, endpoint, methods in PAGE_ROUTES:
        view = home if endpoint == "home" else stub
        blueprint.add_url_rule(rule, endpoint, view, methods=list(methods))


def folders() -> dict[str, str]:
    return {
        "template_folder": os.environ["CONTROL_TEMPLATES"],
        "static_folder": os.environ["CONTROL_STATIC"],
    }


def control_flask() -> Any:
    from flask import Blueprint, Flask, render_template, session

    app = Flask(__name__, **folders())
    configure(app)

    @app.context_processor
    def signed_in() -> dict[str, Any]:
        return page_context(session)

    def home() -> str:
        return render_template("home.html")

    def stub(**_: Any) -> str:
        return ""

    pages = Blueprint("pages", __name__)
    add_page_routes(pages, home, stub)
    app.register_blueprint(pages)
    return app


def control_quart() -> Any:
    from quart import Blueprint, Quart, render_template, session

    app = Quart(__name__, **folders())
    configure(app)

    @app.context_processor
    async def signed_in() -> dict[str, Any]:
        return page_context(session)

    async def home() -> str:
        return await render_template("home.html")

    async def stub(**_: Any) -> str:
        return ""

    pages = Blueprint("pages", __name__)
    add_page_routes(pages, home, stub)
    app.register_blueprint(pages)
    # A Quart blueprint brings Flask's sync default context processor, which Quart runs in a
    # thread on every render of the blueprint's pages (~150 us of CPU); Quart's own async one
    # (the app's) gives the templates the same names. Dropped, as the bake drops it.
    app.template_context_processors.pop("pages", None)
    return app

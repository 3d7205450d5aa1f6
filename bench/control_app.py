"""The control bench/throughput.py measures the baked apps' signed-in home page against: the
framework itself doing that page's work, and nothing else the baked app adds.

`control_flask()` / `control_quart()` are plain Flask / Quart apps (`control_fastapi()`: plain
FastAPI doing the same, see its docstring) that

- open the session cookie with the framework's own `SecureCookieSessionInterface` (the
  default; SECRET_KEY is the baked app's, so the baked app's cookies open here);
- render the baked app's own templates (its `templates/` and `static/` folders, given by
  path) with the context the baked app gives them: a context processor with `user` (the ID
  token's claims, decoded unverified from the session: the token was verified when the user
  signed in; None once it has expired), `user_name` and `sign_in_options`; the Jinja globals
  `project_name`, `shown_claims` and `nav_links`; `csrf_token()` and the check of every
  request (Flask: Flask-WTF's `CSRFProtect`; Quart, which has no CSRF extension: the same
  token made the same way, a random value in the session signed with SECRET_KEY and a
  timestamp, and the same check before every request); flashed messages
  through the framework's own `get_flashed_messages` (a Jinja global of both);
- serve the baked app's routes in blueprints of the same names (`pages`, `logto`, `health`)
  at the same paths, so the templates' `url_for` builds the same links; every page but the
  home page is a stub; the sign-in machinery's template folder (`logto/...`) is the `logto`
  blueprint's, as in the bake. Nothing of the framework is tuned or left out.

What the templates get lives in `page_context()`, `register_globals()` and the CSRF set-up of
each factory: the places to change when the baked app's templates take something else.
bench/throughput.py checks this control's HTML equal to the baked app's (the CSRF token's
value aside) before measuring.

Each is a factory for `gunicorn 'control_app:control_flask()'` (Quart's and FastAPI's: in
uvicorn workers), run with `bench/` as the working directory. Settings come from the
environment: SECRET_KEY (the baked app's name for it), CONTROL_TEMPLATES and CONTROL_STATIC
(the baked app's folders), CONTROL_BLUEPRINT_TEMPLATES (the machinery's template folder),
CONTROL_PROJECT_NAME.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

ID_TOKEN_KEY = "logto.idToken"  # where the Logto SDK's storage keeps the ID token (the bake's)
CSRF_FIELD, CSRF_SALT = "csrf_token", "wtf-csrf-token"  # Flask-WTF's session key and salt
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})  # Flask-WTF's default
SESSION_LIFETIME = timedelta(days=14)  # the baked app's PERMANENT_SESSION_LIFETIME
#: The baked app's routes: (blueprint, rule, endpoint, methods), so its templates' links build.
ROUTES = (
    ("pages", "/", "home", ("GET",)),
    ("pages", "/profile", "profile", ("GET",)),
    ("pages", "/favicon.ico", "favicon", ("GET",)),
    ("logto", "/sign-in", "sign_in", ("GET",)),
    ("logto", "/sign-up", "sign_up", ("GET",)),
    ("logto", "/sign-in/<option>", "sign_in_with", ("GET",)),
    ("logto", "/callback", "callback", ("GET",)),
    ("logto", "/sign-out", "confirm_sign_out", ("GET",)),
    ("logto", "/sign-out", "sign_out", ("POST",)),
    ("health", "/healthz", "healthz", ("GET",)),
)
#: What the templates call the user: the first of these claims that is set (as the bake does).
NAME_CLAIMS = ("name", "username", "email", "phone_number", "sub")


def signed_in_claims(session: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ID token's claims while it has not expired, else None (signed out)."""
    token = session.get(ID_TOKEN_KEY)
    if not isinstance(token, str):
        return None
    try:  # the payload segment, read as plainly as can be (the token was verified when stored)
        payload = token.split(".")[1]
        claims: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
    except (IndexError, ValueError):
        return None
    exp = claims.get("exp")
    return claims if isinstance(exp, int) and exp > time.time() else None


def user_name(claims: Mapping[str, Any]) -> str:
    for claim in NAME_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str) and value:
            return value
    return "there"


def page_context(session: Mapping[str, Any]) -> dict[str, Any]:
    """What the baked app's context processor gives every template about the visitor (a
    default bake has no sign-in buttons: no connector chosen)."""
    user = signed_in_claims(session)
    return {"user": user, "user_name": user_name(user) if user else None, "sign_in_options": ()}


def shown_claims(claims: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The profile page's claims table (a global the home page does not call)."""
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


def add_routes(
    app: Any, blueprint: Callable[..., Any], home: Callable[..., Any], stub: Callable[..., Any]
) -> None:
    """The bake's routes in blueprints of the same names; every page but home is a stub. The
    bake's other template folders (its sign-in machinery's: `logto/...`) are the `logto`
    blueprint's, as in the bake; Jinja looks in the app's folder first, then theirs."""
    extra = [
        folder
        for folder in os.environ.get("CONTROL_BLUEPRINT_TEMPLATES", "").split(os.pathsep)
        if folder
    ]
    if len(extra) > 1:
        raise RuntimeError(f"more than one other template folder: {extra}")
    blueprints: dict[str, Any] = {}
    for name, rule, endpoint, methods in ROUTES:
        view = home if (name, endpoint) == ("pages", "home") else stub
        if name not in blueprints:
            folder = extra[0] if name == "logto" and extra else None
            blueprints[name] = blueprint(name, template_folder=folder)
        blueprints[name].add_url_rule(rule, endpoint, view, methods=list(methods))
    for registered in blueprints.values():
        app.register_blueprint(registered)


def folders() -> dict[str, str]:
    return {
        "template_folder": os.environ["CONTROL_TEMPLATES"],
        "static_folder": os.environ["CONTROL_STATIC"],
    }


def control_flask() -> Any:
    from flask import Blueprint, Flask, render_template, session
    from flask_wtf.csrf import CSRFProtect  # Flask's CSRF extension: `csrf_token()`

    app = Flask(__name__, **folders())
    configure(app)
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # as the bake sets it
    CSRFProtect(app)

    @app.context_processor
    def signed_in() -> dict[str, Any]:
        return page_context(session)

    def home() -> str:
        return render_template("home.html")

    def stub(**_: Any) -> str:
        return ""

    add_routes(app, functools.partial(Blueprint, import_name=__name__), home, stub)
    return app


def control_quart() -> Any:
    """Plain Quart, less the one thing the bake removes from it (as the bake does, at start):
    Flask's empty default context processor, which every Quart blueprint inherits and Quart
    runs in a worker thread on every render (the bake's logto_kit/web/thread_free_templates.py).
    So the ratio to the bake is the bake's own work; `plain_quart()` is Quart as shipped."""
    from flask.templating import _default_template_ctx_processor as flask_default

    app = plain_quart()

    @app.before_serving
    async def thread_free_templates() -> None:
        for processors in app.template_context_processors.values():
            processors[:] = [p for p in processors if p is not flask_default]

    return app


def plain_quart() -> Any:
    """The control as Quart ships it: a blueprint's page also waits on a worker thread for
    Flask's default context processor."""
    from itsdangerous import BadData, URLSafeTimedSerializer
    from quart import Blueprint, Quart, abort, current_app, g, render_template, request, session

    app = Quart(__name__, **folders())
    configure(app)

    def csrf_token() -> str:
        """Flask-WTF's `generate_csrf` in Quart (which has no CSRF extension): the session's
        random token, signed with SECRET_KEY and a timestamp, once per request."""
        if "csrf_token" not in g:
            if CSRF_FIELD not in session:
                session[CSRF_FIELD] = secrets.token_hex(20)
            serializer = URLSafeTimedSerializer(current_app.secret_key, salt=CSRF_SALT)
            g.csrf_token = serializer.dumps(session[CSRF_FIELD])
        return str(g.csrf_token)

    app.jinja_env.globals["csrf_token"] = csrf_token

    @app.before_request
    async def csrf_protect() -> None:
        """Flask-WTF's `CSRFProtect` check before every request, as the Flask control runs
        it: safe methods pass; an unsafe one needs the session's token, signed."""
        if request.method in SAFE_METHODS:
            return
        submitted = (await request.form).get(CSRF_FIELD, "")
        serializer = URLSafeTimedSerializer(current_app.secret_key, salt=CSRF_SALT)
        try:
            expected = serializer.loads(submitted)
        except BadData:
            abort(400)
        if not isinstance(expected, str) or not hmac.compare_digest(
            expected, str(session.get(CSRF_FIELD, ""))
        ):
            abort(400)

    @app.context_processor
    async def signed_in() -> dict[str, Any]:
        return page_context(session)

    async def home() -> str:
        return await render_template("home.html")

    async def stub(**_: Any) -> str:
        return ""

    add_routes(app, functools.partial(Blueprint, import_name=__name__), home, stub)
    return app


def control_fastapi() -> Any:
    """Plain FastAPI doing the page's work: the session cookie opened and written back in
    the bake's (Pallets') format by a minimal ASGI middleware, as Starlette's own
    SessionMiddleware does for its format (FastAPI has no cookie session of its own in that
    format); the bake's templates through `Jinja2Templates`, with the same context from
    Starlette context processors; `csrf_token()` and the check of every unsafe request; the
    flashed messages popped from the session; `url_for` by route name with `filename` and query
    values, as the bake's templates call it."""
    from urllib.parse import urlencode

    from fastapi import APIRouter, FastAPI, Request
    from fastapi.responses import HTMLResponse, PlainTextResponse
    from fastapi.staticfiles import StaticFiles
    from fastapi.templating import Jinja2Templates
    from flask.json.tag import TaggedJSONSerializer
    from itsdangerous import BadData, URLSafeTimedSerializer
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
    from starlette.datastructures import MutableHeaders
    from starlette.requests import cookie_parser

    secret_key = os.environ["SECRET_KEY"]
    cookies = URLSafeTimedSerializer(
        secret_key,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    csrf_serializer = URLSafeTimedSerializer(secret_key, salt=CSRF_SALT)
    lifetime = int(SESSION_LIFETIME.total_seconds())

    class Sessions:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return
            raw = ""
            for name, value in scope["headers"]:
                if name == b"cookie":
                    raw = cookie_parser(value.decode("latin-1")).get("session", "")
            try:
                data = cookies.loads(raw, max_age=lifetime) if raw else {}
            except BadData:
                data = {}
            scope["session"] = session = dict(data)

            async def send_wrapper(message: Any) -> None:
                if message["type"] == "http.response.start" and session != data:
                    value = cookies.dumps(session)
                    MutableHeaders(scope=message).append(
                        "Set-Cookie", f"session={value}; Path=/; HttpOnly; SameSite=Lax"
                    )
                await send(message)

            await self.app(scope, receive, send_wrapper)

    class CsrfCheck:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
                submitted = dict(scope["headers"]).get(b"x-csrftoken", b"").decode()
                try:
                    expected = csrf_serializer.loads(submitted)
                except BadData:
                    expected = None
                if not isinstance(expected, str) or not hmac.compare_digest(
                    expected, str(scope["session"].get(CSRF_FIELD, ""))
                ):
                    await PlainTextResponse("refused", 400)(scope, receive, send)
                    return
            await self.app(scope, receive, send)

    def csrf_token(request: Request) -> str:
        token = getattr(request.state, "csrf_token", None)
        if token is None:
            if CSRF_FIELD not in request.session:
                request.session[CSRF_FIELD] = secrets.token_hex(20)
            token = request.state.csrf_token = csrf_serializer.dumps(request.session[CSRF_FIELD])
        return str(token)

    def flashed(request: Request, with_categories: bool = False) -> list[Any]:
        taken = [tuple(item) for item in request.session.pop("_flashes", ())]
        return taken if with_categories else [message for _, message in taken]

    @pass_context
    def url_for(context: Any, name: str, /, **values: Any) -> str:
        request = context["request"]
        if "filename" in values:
            values["path"] = values.pop("filename")
        path_names = {"path"} if name == "static" else ({"option"} & values.keys())
        path = request.app.url_path_for(name, **{k: values[k] for k in path_names})
        query = {k: v for k, v in values.items() if k not in path_names}
        return str(path) + (f"?{urlencode(query)}" if query else "")

    def context(request: Request) -> dict[str, Any]:
        return {
            **page_context(request.session),
            "csrf_token": lambda: csrf_token(request),
            "get_flashed_messages": lambda with_categories=False: flashed(request, with_categories),
        }

    extra = [f for f in os.environ.get("CONTROL_BLUEPRINT_TEMPLATES", "").split(os.pathsep) if f]
    loader = ChoiceLoader(
        [FileSystemLoader(os.environ["CONTROL_TEMPLATES"])]
        + [FileSystemLoader(folder) for folder in extra]
    )
    # As the bake sets it (and as Flask does outside debug mode): no file check per render.
    env = Environment(loader=loader, autoescape=select_autoescape(), auto_reload=False)
    env.globals.update(
        url_for=url_for,
        project_name=os.environ.get("CONTROL_PROJECT_NAME", "Logto Web App"),
        shown_claims=shown_claims,
        nav_links=[],
    )
    templates = Jinja2Templates(env=env, context_processors=[context])

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(CsrfCheck)
    app.add_middleware(Sessions)
    router = APIRouter()

    async def home(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "home.html")

    # This module's annotations are strings (`from __future__ import annotations`); FastAPI
    # resolves them in the module's globals, which lack `Request` (imported in here), and would
    # take `request` for a required query parameter (every page a 422): give it the class.
    home.__annotations__["request"] = Request

    async def stub() -> PlainTextResponse:
        return PlainTextResponse("")

    for blueprint, rule, endpoint, methods in ROUTES:
        view = home if (blueprint, endpoint) == ("pages", "home") else stub
        path = rule.replace("<option>", "{option}")
        router.add_api_route(path, view, methods=list(methods), name=f"{blueprint}.{endpoint}")
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=os.environ["CONTROL_STATIC"]), name="static")
    return app

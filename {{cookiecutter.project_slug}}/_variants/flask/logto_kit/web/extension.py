"""Sign-in with Logto for a Flask app, in one call: `init_app(app)` adds the request-body
limit, the sessions, the sign-in routes, CSRF protection, the signed-in user in every
template, the error pages, the optional parts this project was generated with and the
security headers; each `register_*` function below adds one of them. The app itself (its
pages, blueprints, extensions) is the project's own: `create_app` in the project's package."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Flask, Response, render_template, request, session

from ..about import PROJECT_NAME
from ..auth.logto_auth import LogtoAuth
from ..logs import configure_logging
from ..optional_parts import present_modules
from ..sessions.interface import configure_sessions
from ..settings import Settings, load_settings, one_line_settings_errors
from . import health, sign_in_routes
from .assembly import new_logto_auth, session_cookie_config
from .claims import shown_claims
from .csrf import register_csrf
from .error_pages import register_error_pages
from .keyed_locks import KeyedLocks
from .request_limit import register_request_limit
from .security_headers import SecurityHeaders
from .setup_page import ENV_FILE, SETUP_HEADERS, SETUP_STATUS, setup_context
from .signed_in import register_signed_in_context


def init_app(app: Flask, settings: Settings | None = None) -> LogtoAuth:
    """Add signing in with Logto to `app`; without `settings` read the environment, stopping
    with one line on error. Nothing here calls Logto: its discovery and keys are fetched when
    first needed. Returns the sign-in flow (e.g. `.request_scopes([...])` for more scopes)."""
    if settings is None:
        with one_line_settings_errors():
            settings = load_settings()
    configure_logging(settings.log_level)
    register_security_headers(app, settings)  # first: its hook runs after every other one
    register_request_limit(app, settings)
    register_sessions(app, settings)
    auth = register_logto(app, settings)
    register_csrf(app)
    register_pages(app)
    register_signed_in_context(app)
    register_optional_parts(app, settings, auth)
    return auth


def init_setup_page(app: Flask) -> Flask:
    """While settings are missing (the development server's first run): every path of `app`
    answers with the setup page (setup_page.py), which lists them."""
    app.secret_key = secrets.token_urlsafe(32)  # this process's own: nothing is kept here
    register_pages(app)

    @app.before_request
    def setup_page() -> tuple[str, int, dict[str, str]] | None:
        if request.endpoint == "static":
            return None
        page = render_template("logto/setup.html", **setup_context())
        return page, SETUP_STATUS, SETUP_HEADERS

    return app


def serve_development(factory: Callable[[], Flask], host: str, port: int, *, debug: bool) -> None:
    """Werkzeug's development server, restarted when the code or `.env` changes. Flask's own
    loading of `.env` into the environment is off: the restarted server would inherit the old
    values, which win over the file (settings.py reads `.env` itself)."""
    factory().run(
        host=host,
        port=port,
        debug=debug,
        load_dotenv=False,
        use_reloader=True,
        extra_files=[str(ENV_FILE)],
    )


def register_sessions(app: Flask, settings: Settings) -> None:
    """The session cookie, and the store that holds sessions."""
    app.config.update(session_cookie_config(settings))
    configure_sessions(app, settings)


def register_logto(app: Flask, settings: Settings) -> LogtoAuth:
    """The sign-in flow, with this framework's per-process locks."""
    auth = new_logto_auth(settings, session, KeyedLocks())
    app.extensions["logto_auth"] = auth
    return auth


def register_pages(app: Flask) -> None:
    """The sign-in routes and their templates (`logto/...`), `/healthz`, the error pages; the
    project's name, the claims table and the header's links (`nav_links`: optional parts add
    theirs) in every template."""
    app.jinja_env.globals.update(project_name=PROJECT_NAME, shown_claims=shown_claims, nav_links=[])
    app.register_blueprint(sign_in_routes.blueprint)
    app.register_blueprint(health.blueprint)
    register_error_pages(app)


def register_optional_parts(app: Flask, settings: Settings, auth: LogtoAuth) -> None:
    """The parts chosen when the project was generated: each is a module here (`api.py`, ...)
    with `register(app, settings, auth)`; a project without one has no such module."""
    for part in present_modules(__package__):
        part.register(app, settings, auth)


def register_security_headers(app: Flask, settings: Settings) -> None:
    """The security headers on every response: its after-request hook is the first registered,
    so it runs last, on the response the other hooks return (a session store's 503 page
    too)."""
    security = SecurityHeaders(settings)

    @app.after_request
    def add_headers(response: Response) -> Response:
        security.add_to(response.headers)
        return response

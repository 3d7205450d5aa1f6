"""Sign-in with Logto for a FastAPI app, in one call: `init_app(app, templates)` adds the
security headers, the request-body limit, the sessions, the signed-in user of each request,
CSRF protection, the sign-in routes, the error pages and the optional parts this project was
generated with; each `register_*` function below adds one of them. The app itself (its
routers, middleware, dependencies) is the project's own: `create_app` in the project's
package.

Middleware runs outermost first: security headers, request limit, sessions, the signed-in
user, CSRF, then the app's routes."""

from __future__ import annotations

from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..auth.logto_auth import LogtoAuth
from ..logs import configure_logging
from ..optional_parts import present_modules
from ..sessions.interface import configure_sessions
from ..sessions.request_session import session
from ..settings import PROJECT_ROOT, Settings, load_settings, one_line_settings_errors
from . import health, sign_in_routes
from .assembly import new_logto_auth
from .csrf import CsrfCheck
from .error_pages import register_error_pages, respond_with_failure
from .keyed_locks import KeyedLocks
from .request_limit import RequestLimit
from .security_headers import SecurityHeaders
from .setup_page import ENV_FILE, SETUP_HEADERS, SETUP_STATUS, setup_context
from .signed_in import SignedInUsers
from .templates import PageTemplates


def init_app(app: FastAPI, templates: PageTemplates, settings: Settings | None = None) -> LogtoAuth:
    """Add signing in with Logto to `app`, whose pages render with `templates`
    (`page_templates`); without `settings` read the environment, stopping with one line on
    error. Nothing here calls Logto: its discovery and keys are fetched when first needed.
    Returns the sign-in flow (e.g. `.request_scopes([...])` for more scopes)."""
    if settings is None:
        with one_line_settings_errors():
            settings = load_settings()
    configure_logging(settings.log_level)
    app.state.settings, app.state.templates = settings, templates
    register_csrf(app, settings)  # innermost middleware: added first
    register_signed_in_users(app)
    register_sessions(app, settings)
    register_request_limit(app, settings)
    register_security_headers(app, settings)  # outermost: on every response
    auth = register_logto(app, settings)
    register_pages(app)
    register_optional_parts(app, settings, auth)
    return auth


def init_setup_page(app: FastAPI, templates: PageTemplates) -> FastAPI:
    """While settings are missing (the development server's first run): every path of `app`
    but its static files answers with the setup page (setup_page.py), which lists them."""
    app.state.templates = templates
    app.add_middleware(SetupPage, templates=templates)
    register_pages(app)  # never reached; the pages' links (`url_for`) name them
    return app


class SetupPage:
    """ASGI middleware: the setup page at every path but the static files'."""

    def __init__(self, app: ASGIApp, templates: PageTemplates) -> None:
        self.app, self.templates = app, templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        scope["session"] = {}  # nothing is kept: the page only lists what is missing
        page = self.templates.TemplateResponse(
            Request(scope, receive),
            "logto/setup.html",
            setup_context(),
            SETUP_STATUS,
            SETUP_HEADERS,
        )
        await page(scope, receive, send)


def serve_development(factory: Callable[[], FastAPI], host: str, port: int, *, debug: bool) -> None:
    """Uvicorn, serving `factory()` and restarted when the code, a template or `.env`
    changes."""
    uvicorn.run(
        f"{factory.__module__}:{factory.__qualname__}",
        factory=True,
        host=host,
        port=port,
        reload=True,
        reload_dirs=[str(PROJECT_ROOT)],
        reload_includes=["*.py", "*.html", ENV_FILE.name],
        log_level="debug" if debug else "info",
    )


def register_csrf(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(CsrfCheck, secret_key=settings.secret_key, refuse=respond_with_failure)


def register_signed_in_users(app: FastAPI) -> None:
    app.add_middleware(SignedInUsers)


def register_sessions(app: FastAPI, settings: Settings) -> None:
    """The session cookie, and the store that holds sessions."""
    configure_sessions(app, settings)


def register_request_limit(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(RequestLimit, limit=settings.max_request_bytes)


def register_logto(app: FastAPI, settings: Settings) -> LogtoAuth:
    """The sign-in flow, with this framework's per-process locks."""
    auth = new_logto_auth(settings, session, KeyedLocks())
    app.state.logto_auth = auth
    return auth


def register_pages(app: FastAPI) -> None:
    """The sign-in routes and their templates (`logto/...`), `/healthz` and `/readyz`, the
    error pages."""
    app.include_router(sign_in_routes.router)
    app.include_router(health.router)
    register_error_pages(app)


def register_optional_parts(app: FastAPI, settings: Settings, auth: LogtoAuth) -> None:
    """The parts chosen when the project was generated: each is a module here (`api.py`, ...)
    with `register(app, settings, auth)`; a project without one has no such module."""
    for part in present_modules(__package__):
        part.register(app, settings, auth)


def register_security_headers(app: FastAPI, settings: Settings) -> None:
    """The security headers on every response (the outermost middleware: the error pages of
    the others get them too)."""
    app.add_middleware(SecurityHeadersMiddleware, security=SecurityHeaders(settings))


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, security: SecurityHeaders) -> None:
        self.app, self.security = app, security

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.decode("latin-1").lower() for name, _ in headers}
                content_type = next(
                    (value for name, value in headers if name.lower() == b"content-type"), b""
                )
                missing = self.security.missing_from(present, content_type.decode("latin-1"))
                headers += [
                    (name.encode("latin-1"), value.encode("latin-1")) for name, value in missing
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

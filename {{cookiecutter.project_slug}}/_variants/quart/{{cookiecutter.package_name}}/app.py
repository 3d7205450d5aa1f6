"""The Quart app: settings, sessions, the Logto client and the pages."""

from __future__ import annotations

import logging

from quart import Quart, Response, session

from .about import PROJECT_NAME
from .logto_auth import LogtoAuth
from .logto_client import IdpUnavailable
from .security_headers import SecurityHeaders
from .sessions import configure_sessions
from .settings import SESSION_LIFETIME_SECONDS, Settings, load_settings, one_line_settings_errors
from .views import blueprint, register_error_pages

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Quart:
    """Build the app; without `settings` read the environment, stopping with one line on error."""
    if settings is None:
        with one_line_settings_errors():
            return create_app(load_settings())
    app = Quart(__name__)
    configure_session_cookie(app, settings)
    configure_sessions(app, settings)
    auth = LogtoAuth(settings, session)
    app.extensions["logto_auth"] = auth
    app.jinja_env.globals["project_name"] = PROJECT_NAME
    app.register_blueprint(blueprint)
    register_error_pages(app)
    add_security_headers(app, settings)

    @app.before_serving
    async def warm_up() -> None:
        """Fetch Logto's discovery and JWKS before serving; if Logto is down, start anyway."""
        try:
            await auth.client.warm_up()
        except IdpUnavailable as error:
            logger.warning("Logto is not reachable yet; will retry on first sign-in (%s)", error)

    return app


def add_security_headers(app: Quart, settings: Settings) -> None:
    security = SecurityHeaders(settings)

    @app.after_request
    async def add_headers(response: Response) -> Response:
        security.add_to(response.headers)
        return response


def configure_session_cookie(app: Quart, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.uses_https,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME_SECONDS,
    )

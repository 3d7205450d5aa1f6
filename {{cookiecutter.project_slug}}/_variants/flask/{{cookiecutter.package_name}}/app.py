"""This app: `create_app()` builds it (the servers call it as a factory). Add your blueprints,
extensions and context processors here, as Flask's docs do; `init_app` adds signing in with
Logto (the `logto_kit` package: sessions, sign-in routes, CSRF protection, the signed-in user
in every template, error pages, security headers)."""

from __future__ import annotations

from flask import Flask

from logto_kit.settings import Settings, SettingsError, load_settings
from logto_kit.web import init_app, init_setup_page

from . import views


def create_app(settings: Settings | None = None) -> Flask:
    """Without `settings`, read them from the environment and `.env`."""
    app = Flask(__name__)
    init_app(app, settings)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(views.blueprint)


def create_dev_app() -> Flask:
    """What the development servers serve (`python -m <package>`, `flask run`): the app, or,
    while settings Logto needs are missing, a page listing them at every path."""
    try:
        settings = load_settings()
    except SettingsError:
        app = Flask(__name__)
        register_blueprints(app)  # the pages' links, and `flask routes`
        return init_setup_page(app)
    return create_app(settings)

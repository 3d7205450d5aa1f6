"""This app: `create_app()` builds it (the servers call it as a factory). Add your routers,
middleware and dependencies here, as FastAPI's docs do; `init_app` adds signing in with Logto
(the `logto_kit` package: sessions, sign-in routes, CSRF protection, the signed-in user in
every page, error pages, security headers)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from logto_kit.about import PROJECT_NAME
from logto_kit.settings import Settings, SettingsError, load_settings
from logto_kit.web import init_app, init_setup_page

from . import views

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Without `settings`, read them from the environment and `.env`."""
    app = FastAPI(title=PROJECT_NAME, docs_url=None, redoc_url=None)
    init_app(app, views.templates, settings)
    add_routes(app)
    return app


def add_routes(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(views.router)


def create_dev_app() -> FastAPI:
    """What the development server serves (`python -m <package>`): the app, or, while
    settings Logto needs are missing, a page listing them at every path."""
    try:
        settings = load_settings()
    except SettingsError:
        app = FastAPI(title=PROJECT_NAME, docs_url=None, redoc_url=None)
        add_routes(app)
        return init_setup_page(app, views.templates)
    return create_app(settings)

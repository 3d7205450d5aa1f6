"""The web app; `create_app()` builds it (servers call `create_app()` as a factory), and
`create_dev_app()` is what the development servers serve (a setup page until the settings are
complete)."""

from .app import create_app, create_dev_app

__all__ = ["create_app", "create_dev_app"]

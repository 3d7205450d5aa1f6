"""The web app; `create_app()` builds it (servers call `create_app()` as a factory)."""

from .web.app import create_app

__all__ = ["create_app"]

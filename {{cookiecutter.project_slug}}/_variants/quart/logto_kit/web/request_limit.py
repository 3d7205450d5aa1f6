"""Request bodies over MAX_REQUEST_BYTES are a 413 page (error_pages.py), never held whole.

The check is the app's first `before_request`, ahead of the CSRF check that reads a form: a
larger Content-Length is refused at once (Quart drops its chunks as they arrive). A chunked
body (no Content-Length) is kept up to the limit (`MAX_CONTENT_LENGTH`); past it Quart drops
the rest and reading the body raises the 413. `BODY_TIMEOUT` stays Quart's own.
"""

from __future__ import annotations

from quart import Quart, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..settings import Settings


def register_request_limit(app: Quart, settings: Settings) -> None:
    limit = settings.max_request_bytes
    app.config["MAX_CONTENT_LENGTH"] = limit

    @app.before_request
    async def refuse_large_bodies() -> None:
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge

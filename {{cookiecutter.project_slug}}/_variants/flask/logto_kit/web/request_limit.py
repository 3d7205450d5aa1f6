"""Request bodies over MAX_REQUEST_BYTES are a 413 page (error_pages.py), never read whole.

The check is the app's first `before_request`, ahead of the CSRF check that reads a form: a
larger Content-Length is refused before a byte is read. A chunked body (no Content-Length) is
read here up to one byte past the limit: over it, refused; within it, the view reads it as
a body of that length. (Werkzeug alone, with `MAX_CONTENT_LENGTH`, stops reading a chunked
form at the limit and parses what it read, silently cut.)
"""

from __future__ import annotations

import io
from typing import IO

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..settings import Settings

READ_SIZE = 64 * 1024


def register_request_limit(app: Flask, settings: Settings) -> None:
    limit = settings.max_request_bytes
    app.config["MAX_CONTENT_LENGTH"] = limit

    @app.before_request
    def refuse_large_bodies() -> None:
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            body = read_at_most(request.environ["wsgi.input"], limit + 1)
            if len(body) > limit:
                raise RequestEntityTooLarge
            environ = request.environ
            environ.pop("HTTP_TRANSFER_ENCODING")  # read: now a body of known length
            environ["CONTENT_LENGTH"], environ["wsgi.input"] = str(len(body)), io.BytesIO(body)


def read_at_most(stream: IO[bytes], size: int) -> bytes:
    """Up to `size` bytes of `stream`: fewer only where it ends."""
    body = bytearray()
    while len(body) < size:
        chunk = stream.read(min(READ_SIZE, size - len(body)))
        if not chunk:
            break
        body += chunk
    return bytes(body)

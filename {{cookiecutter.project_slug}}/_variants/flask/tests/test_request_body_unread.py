"""A request body over MAX_REQUEST_BYTES is never read whole (Flask, at the WSGI interface a
server such as gunicorn calls): a larger Content-Length is refused before any byte is read; a
chunked body (no Content-Length) is read up to the limit, then refused, and one within the
limit reaches the view whole. Refusals are the 413 page."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from flask import Flask, request
from werkzeug.test import EnvironBuilder, run_wsgi_app

from logto_kit.settings import MIN_REQUEST_BYTES, Settings
from logto_kit.web import csrf

from {{ cookiecutter.package_name }} import create_app

LIMIT = MIN_REQUEST_BYTES
CHUNK = 8 * 1024
CHUNKED = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}  # as gunicorn


class Body(io.RawIOBase):
    """A form body of `size` bytes (None: endless), as a server hands it to the app; reading
    past `allowed` bytes fails the test."""

    def __init__(self, allowed: int, size: int | None = None) -> None:
        self.allowed, self.size, self.given = allowed, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), CHUNK)
        if self.size is not None:
            size = min(size, self.size - self.given)
        if self.given + size > self.allowed:
            raise AssertionError(f"the app read more than {self.allowed} bytes of the body")
        buffer[:size] = (b"name=" + b"x" * size)[:size] if self.given == 0 else b"x" * size
        self.given += size
        return size


def app_with_echo(settings: Settings) -> Flask:
    """The app, with a route that answers how long the form's `name` it read is."""
    app = create_app(dataclasses.replace(settings, max_request_bytes=LIMIT))

    def echo() -> str:
        return str(len(request.form["name"]))

    app.add_url_rule("/echo", view_func=csrf.exempt(echo), methods=["POST"])
    return app


def post(settings: Settings, path: str, body: Body, **environ: Any) -> tuple[str, str]:
    builder = EnvironBuilder(
        path=path, method="POST", content_type="application/x-www-form-urlencoded"
    )
    request_environ = builder.get_environ()
    request_environ.pop("CONTENT_LENGTH", None)
    request_environ.update({"wsgi.input": body, **environ})
    answer, status, _headers = run_wsgi_app(app_with_echo(settings), request_environ, True)
    return status, b"".join(answer).decode()


@pytest.mark.parametrize("path", ["/sign-out", "/echo", "/"])
def test_a_large_content_length_is_refused_unread(settings: Settings, path: str) -> None:
    body = Body(allowed=0)
    status, page = post(settings, path, body, CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert status.startswith("413 ")
    assert "Request too large" in page and "(at most 16 KiB)" in page
    assert body.given == 0


@pytest.mark.parametrize("path", ["/sign-out", "/echo"])
def test_a_chunked_body_is_read_only_up_to_the_limit(settings: Settings, path: str) -> None:
    body = Body(allowed=LIMIT + CHUNK)
    status, page = post(settings, path, body, **CHUNKED)
    assert status.startswith("413 ")
    assert "Request too large" in page
    assert LIMIT < body.given <= LIMIT + CHUNK


def test_a_chunked_body_within_the_limit_is_read_whole(settings: Settings) -> None:
    status, page = post(settings, "/echo", Body(allowed=LIMIT, size=LIMIT), **CHUNKED)
    assert (status, page) == ("200 OK", str(LIMIT - len("name=")))

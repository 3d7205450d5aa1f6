"""A request body over MAX_REQUEST_BYTES is never held whole (at the ASGI interface
uvicorn calls): with a larger Content-Length the answer is a 413 at once and the body's chunks
are dropped as they arrive; a chunked body (no Content-Length) is kept up to the limit, then
refused, and one within the limit reaches the view whole. Refusals are the 413 page, sent long
before the client's body ends."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Form, Request
from fastapi.responses import PlainTextResponse

from logto_kit.settings import MIN_REQUEST_BYTES, Settings
from logto_kit.web import csrf

from {{ cookiecutter.package_name }} import create_app

LIMIT = MIN_REQUEST_BYTES
CHUNK = 4 * 1024


def app_with_echo(settings: Settings) -> FastAPI:
    """The app, with routes that answer how long the form's `name` they read is: by hand
    (`/echo`) and as a `Form` parameter (`/echo-form`, which FastAPI parses)."""
    app = create_app(dataclasses.replace(settings, max_request_bytes=LIMIT))

    @app.post("/echo", response_class=PlainTextResponse)
    async def echo(request: Request) -> str:
        return str(len(str((await request.form())["name"])))

    @app.post("/echo-form", response_class=PlainTextResponse)
    async def echo_form(name: Annotated[str, Form()]) -> str:
        return str(len(name))

    csrf.exempt("/echo")
    csrf.exempt("/echo-form")
    return app


async def post(settings: Settings, path: str, chunks: int, *headers: tuple[bytes, bytes]) -> Any:
    """POST a form `name=xxx...` of `chunks` chunks of CHUNK bytes, one every millisecond, as a
    client on a network sends it; the answer's status and page, and how many chunks were sent
    before the answer began."""
    app = app_with_echo(settings)
    sent, page = 0, bytearray()
    answer: dict[str, int] = {}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent == chunks:
            await asyncio.Event().wait()  # all sent: the client waits for the answer
        await asyncio.sleep(0.001)
        sent += 1
        body = (b"name=" + b"x" * CHUNK)[:CHUNK] if sent == 1 else b"x" * CHUNK
        return {"type": "http.request", "body": body, "more_body": sent < chunks}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.update(status=message["status"], sent_before=sent)
        elif message["type"] == "http.response.body":
            page.extend(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"localhost:3000"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            *headers,
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 3000),
    }
    server: Any = app  # called with plain dicts, as a server does
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(server(scope, receive, send), timeout=30)
    return answer["status"], page.decode(), answer["sent_before"]


@pytest.mark.parametrize("path", ["/sign-out", "/echo", "/echo-form", "/"])
def test_a_large_content_length_is_refused_at_once(settings: Settings, path: str) -> None:
    chunks = 200 * 1024 * 1024 // CHUNK
    length = (b"content-length", str(chunks * CHUNK).encode())
    status, page, sent_before = asyncio.run(post(settings, path, chunks, length))
    assert status == 413
    assert "Request too large" in page and "(at most 16 KiB)" in page
    assert sent_before < 1000  # answered at once, while the body was still coming


@pytest.mark.parametrize("path", ["/sign-out", "/echo", "/echo-form"])
def test_a_chunked_body_is_refused_past_the_limit(settings: Settings, path: str) -> None:
    chunks = 2000
    status, page, sent_before = asyncio.run(post(settings, path, chunks))
    assert status == 413
    assert "Request too large" in page
    assert LIMIT // CHUNK < sent_before < 1000


@pytest.mark.parametrize("path", ["/echo", "/echo-form"])
def test_a_chunked_body_within_the_limit_is_read_whole(settings: Settings, path: str) -> None:
    status, page, _ = asyncio.run(post(settings, path, LIMIT // CHUNK))
    assert (status, page) == (200, str(LIMIT - len("name=")))

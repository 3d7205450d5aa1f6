"""Request bodies over MAX_REQUEST_BYTES are a 413 page (error_pages.py), never held whole.

The check is the outermost middleware but the security headers, ahead of the CSRF check that
reads a form: a larger Content-Length is refused at once, unread. A chunked body (no
Content-Length) is handed on up to the limit; past it, reading the body raises
`RequestTooLarge`, answered with the same page (an `HTTPException`, so FastAPI's parsing of a
route's `Form`/`Body` parameters passes it on instead of making it a 400).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..auth.failures import request_too_large
from .error_pages import RequestTooLarge, respond_with_failure


class RequestLimit:
    """ASGI middleware refusing bodies over `limit` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        if declared.isdigit() and int(declared) > self.limit:
            await respond_with_failure(scope, receive, send, request_too_large(self.limit))
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise RequestTooLarge(self.limit)
            return message

        try:
            await self.app(scope, bounded, send)
        except RequestTooLarge:  # read by a middleware (the CSRF check), before any route
            await respond_with_failure(scope, receive, send, request_too_large(self.limit))

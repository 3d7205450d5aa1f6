"""CSRF protection for every POST, PUT, PATCH and DELETE, the app's own forms included, in
WTForms' CSRF format (salt `wtf-csrf-token`, field `csrf_token`): the session
keeps a random token, each page's `csrf_token()` is that token signed with SECRET_KEY, and an
unsafe request must send it back as the form field `csrf_token` or the `X-CSRFToken` header.
A request without it gets the 403 page, before any route runs.

Paths that other sites or machines call with their own credentials are exempt where their
routes are declared: `csrf.exempt("/webhooks/")` (a prefix ends with `/`; the bearer-token API
and Logto's back-channel logout are exempted by their own modules)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..auth.failures import FORM_REFUSED, Failure

FIELD = "csrf_token"  # the form field, and the session key of the raw token
HEADERS = ("x-csrftoken", "x-csrf-token")
SALT = "wtf-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FailureResponder = Callable[[Scope, Receive, Send, Failure], Awaitable[None]]


class CsrfProtect:
    def __init__(self) -> None:
        self._exempt: set[str] = set()

    def exempt(self, path: str) -> str:
        """Leave `path` unchecked (every path under it when it ends with `/`)."""
        self._exempt.add(path)
        return path

    def is_exempt(self, path: str) -> bool:
        return any(
            path == exempt or (exempt.endswith("/") and path.startswith(exempt))
            for exempt in self._exempt
        )


csrf = CsrfProtect()


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def csrf_token(request: Request) -> str:
    """This session's token for a form (the same for every form of one request)."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        session = request.session
        if not isinstance(session.get(FIELD), str):
            session[FIELD] = secrets.token_hex(20)
        secret_key = request.app.state.settings.secret_key
        token = request.state.csrf_token = _serializer(secret_key).dumps(session[FIELD])
    return str(token)


def token_matches(
    session: MutableMapping[str, Any], secret_key: str, submitted: str | None
) -> bool:
    expected = session.get(FIELD)
    if not submitted or not isinstance(expected, str):
        return False
    try:
        raw = _serializer(secret_key).loads(submitted)
    except BadData:
        return False
    return isinstance(raw, str) and hmac.compare_digest(raw, expected)


class CsrfCheck:
    """ASGI middleware, inside the sessions: refuses an unsafe request without the token. A
    form's body is read here and handed on to the route unchanged."""

    def __init__(self, app: ASGIApp, secret_key: str, refuse: FailureResponder) -> None:
        self.app, self.secret_key, self.refuse = app, secret_key, refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in UNSAFE_METHODS
            or csrf.is_exempt(scope["path"])
            or not _has_route(scope)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        submitted = next(filter(None, (headers.get(name) for name in HEADERS)), None)
        if submitted is None and headers.get("content-type", "").startswith(FORM_TYPES):
            body = await _read_body(receive)
            submitted = await _form_field(scope, body, FIELD)
            receive = _replay(body, receive)
        if not token_matches(scope["session"], self.secret_key, submitted):
            await self.refuse(scope, receive, send, FORM_REFUSED)
            return
        await self.app(scope, receive, send)


def _has_route(scope: Scope) -> bool:
    """Whether a route takes this request (else a 404 or 405 follows, and nothing runs)."""
    return any(route.matches(scope)[0] is Match.FULL for route in scope["app"].router.routes)


async def _read_body(receive: Receive) -> bytes:
    """The whole body (the request limit, outside this middleware, bounds it)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _form_field(scope: Scope, body: bytes, name: str) -> str | None:
    if Headers(scope=scope).get("content-type", "").startswith(FORM_TYPES[0]):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(name)
        return values[0] if values else None
    form = await Request(scope, _replay(body, _no_more)).form()
    try:
        value = form.get(name)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


def _replay(body: bytes, then: Receive) -> Receive:
    """A `receive` that gives the body read already, then hands on to `then` (the server's,
    which tells of a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive


async def _no_more() -> Message:
    return {"type": "http.disconnect"}

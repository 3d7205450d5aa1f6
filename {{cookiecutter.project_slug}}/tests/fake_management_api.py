"""An in-process stand-in for Logto's Management API, for the offline `logto` command tests.

``FakeManagementApi`` serves over real HTTP on 127.0.0.1: ``/oidc/token`` (client
credentials with HTTP Basic auth), discovery, and the ``/api/...`` operations
``logto provision`` and ``logto doctor`` use. It keeps state like a tenant (``FakeTenant``:
applications with secrets, connectors, the sign-in experience, API resources, roles, users,
organizations with their roles and members), checks every body against
``management_api_shapes.json`` (transcribed from @logto/api's management.d.ts) with 400
``guard.invalid_input``, drops keys it does not know (as Logto's guard does), and enforces
the Logto rules that matter here with Logto's status and code. Every request is recorded in
``requests`` for assertions. The template's suite runs the same scenarios against a real
Logto and against this fake and fails on any difference
(tests/against_logto/test_fake_matches_logto.py in the template's repository).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from .fake_tenant import FakeTenant, Response, error
from .management_api_rules import SHAPES, RuleError, known_part, shape_problem


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # without the query
    query: dict[str, str]
    body: Any


class FakeManagementApi(FakeTenant):
    """Context manager; a tenant with an M2M app `m2m_app_id`/`m2m_app_secret`."""

    def __init__(self, m2m_app_id: str = "m2m-app", m2m_app_secret: str = "m2m-secret") -> None:
        self.m2m_app_id = m2m_app_id
        self.m2m_app_secret = m2m_app_secret
        self.resource = "https://default.logto.app/api"
        super().__init__()
        self.requests: list[Recorded] = []
        self.forbidden = False  # the M2M app lacks the Management API role: every /api is 403
        self.rejections: dict[str, tuple[int, dict[str, str]]] = {}  # "POST /api/x" -> answer
        self._tokens: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()

    def changes(self) -> list[Recorded]:
        """The recorded requests that change something (POST, PATCH, DELETE)."""
        return [r for r in self.requests if r.method != "GET" and r.path.startswith("/api/")]

    # -- HTTP -------------------------------------------------------------------------
    def respond(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Response:
        parts = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(parts.query))
        path = parts.path
        if path == "/oidc/.well-known/openid-configuration":
            return 200, {"issuer": f"{self.endpoint}/oidc"}
        if (method, path) == ("POST", "/oidc/token"):
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            return self._token(form, headers.get("authorization", ""))
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return error(400, "guard.invalid_input", "the body is not JSON")
        with self._lock:
            self.requests.append(Recorded(method, path, query, body))
            if headers.get("authorization", "").removeprefix("Bearer ") not in self._tokens:
                return error(401, "auth.unauthorized", "Unauthorized")
            if self.forbidden:
                return error(403, "auth.forbidden", "Forbidden")
            if f"{method} {path}" in self.rejections:
                return self.rejections[f"{method} {path}"]
            try:
                return self._route(method, path, query, body)
            except RuleError as broken:
                return error(broken.status, broken.code, str(broken))

    def _token(self, form: dict[str, str], authorization: str) -> Response:
        try:
            raw = base64.b64decode(authorization.removeprefix("Basic ")).decode()
        except ValueError:
            raw = ""
        client_id, _, secret = (urllib.parse.unquote_plus(p) for p in raw.partition(":"))
        if (client_id, secret) != (self.m2m_app_id, self.m2m_app_secret):
            return 401, {"error": "invalid_client", "error_description": "client auth failed"}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("resource") != self.resource:
            return 400, {"error": "invalid_target", "error_description": "resource not found"}
        token = secrets.token_urlsafe(16)
        self._tokens.add(token)
        return 200, {
            "access_token": token,
            "expires_in": 3600,
            "token_type": "Bearer",
            "scope": form.get("scope", ""),
        }

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> Response:
        parts = path.strip("/").split("/")[1:]  # after "api"
        ids = {1: "{id}", 3: "{userId}"}  # e.g. /api/organizations/{id}/users/{userId}/roles
        template = "/api/" + "/".join(ids.get(i, p) for i, p in enumerate(parts))
        if method in ("POST", "PATCH"):
            operation = SHAPES["operations"].get(f"{method} {template}")
            if operation is None:
                return error(404, "guard.invalid_input", f"no route {method} {template}")
            if problem := shape_problem(operation["body"], body):
                return error(400, "guard.invalid_input", problem)
            body = known_part(operation["body"], body)  # Logto drops keys it does not know
        return self.handle(method, parts, query, body)


def _handler(fake: FakeManagementApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer = fake.respond(self.command, self.path, headers, raw)
            plain = isinstance(answer, str)  # Logto's "Created" for added members and roles
            data = (
                answer.encode() if plain else b"" if answer is None else json.dumps(answer).encode()
            )
            self.send_response(status)
            self.send_header(
                "Content-Type", "text/plain; charset=utf-8" if plain else "application/json"
            )
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler

"""A real Logto for the suite, found through one setting: `LOGTO_TEST_INSTANCE`.

Its value is either
- a Logto bundle directory holding `start-logto` (CI passes `../shared/logto`): each test
  session (each xdist worker) starts its own Logto on loopback and stops it by PID at the end;
- or a JSON file describing a Logto that is already running (e.g. a bake's compose `logto`
  profile), in the shape `start-logto` prints: `endpoint`, `m2m_app_id`, `m2m_app_secret` of a
  Machine-to-machine app with the Logto Management API role, and optionally
  `management_api_resource` (default `https://default.logto.app/api`).

With neither, every test that needs Logto fails naming what to provide.

Tests get the tenant through `LogtoTenant`: a Management API client that records what the
tenant held when the session began, and puts it back after each test (the sign-in
experience; applications, connectors, users, API resources, roles and organizations made
since are deleted). Tests that change the tenant hold a file lock named after the endpoint,
so workers sharing one Logto take turns.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import shlex
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

SETTING = "LOGTO_TEST_INSTANCE"
HOW_TO_PROVIDE = (
    f"set {SETTING} to a Logto bundle directory holding start-logto (e.g. ../shared/logto) "
    "or to a JSON file with the endpoint, m2m_app_id and m2m_app_secret of a running Logto "
    "(see the README, 'Real Logto')"
)
DEFAULT_RESOURCE = "https://default.logto.app/api"
START_TIMEOUT = 300
PAGE_SIZE = 100  # the largest page Logto gives
#: The sign-in experience keys a test may change; all are put back after each test.
RESTORED_KEYS = (
    "color",
    "branding",
    "languageInfo",
    "termsOfUseUrl",
    "privacyPolicyUrl",
    "agreeToTermsPolicy",
    "signIn",
    "signUp",
    "socialSignInConnectorTargets",
    "signInMode",
    "customCss",
    "passwordPolicy",
)


@dataclass(frozen=True)
class LogtoInstance:
    endpoint: str
    m2m_app_id: str
    m2m_app_secret: str
    resource: str = DEFAULT_RESOURCE
    started: dict[str, Any] | None = None  # start-logto's JSON when the suite started it

    @property
    def issuer(self) -> str:
        return f"{self.endpoint}/oidc"


class LogtoApiError(Exception):
    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {path} -> HTTP {status}: {json.dumps(body)[:300]}")
        self.status = status
        self.body = body


@contextlib.contextmanager
def logto_instance() -> Iterator[LogtoInstance]:
    """The Logto `LOGTO_TEST_INSTANCE` names, started (and stopped) here for a bundle."""
    value = os.environ.get(SETTING, "").strip()
    if not value:
        pytest.fail(f"{SETTING} is not set: {HOW_TO_PROVIDE}", pytrace=False)
    path = Path(value).expanduser()
    if path.is_dir():
        with _started_from_bundle(path) as instance:
            yield instance
    elif path.is_file():
        yield _described_by(path)
    else:
        pytest.fail(f"{SETTING}={value}: no such directory or file; {HOW_TO_PROVIDE}", False)


@contextlib.contextmanager
def _started_from_bundle(bundle: Path) -> Iterator[LogtoInstance]:
    script = bundle / "start-logto"
    if not script.is_file():
        pytest.fail(f"{SETTING}={bundle} holds no start-logto; {HOW_TO_PROVIDE}", False)
    done = subprocess.run(
        ["python3", str(script)], capture_output=True, text=True, timeout=START_TIMEOUT
    )
    if done.returncode:
        hint = (
            " (install PostgreSQL: apt-get install -y postgresql)" if done.returncode == 2 else ""
        )
        pytest.fail(f"start-logto failed{hint}: {done.stderr.strip()}", pytrace=False)
    info = json.loads(done.stdout)
    try:
        yield LogtoInstance(
            endpoint=info["endpoint"],
            m2m_app_id=info["m2m_app_id"],
            m2m_app_secret=info["m2m_app_secret"],
            resource=info.get("management_api_resource", DEFAULT_RESOURCE),
            started=info,
        )
    finally:
        subprocess.run([*shlex.split(info["stop"]), "--rm"], capture_output=True, timeout=60)


def _described_by(path: Path) -> LogtoInstance:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return LogtoInstance(
            endpoint=info["endpoint"].rstrip("/"),
            m2m_app_id=info["m2m_app_id"],
            m2m_app_secret=info["m2m_app_secret"],
            resource=info.get("management_api_resource", DEFAULT_RESOURCE),
        )
    except (OSError, ValueError, KeyError, AttributeError) as error:
        pytest.fail(f"{SETTING}={path}: {error!r}; {HOW_TO_PROVIDE}", pytrace=False)


@dataclass
class LogtoTenant:
    """The Management API of `instance`, as the M2M app; `reset()` undoes a test's changes."""

    instance: LogtoInstance
    _token: str = ""
    _token_expires: float = 0.0
    baseline: dict[str, Any] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return self.instance.endpoint

    def request(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        """(status, decoded JSON body or None); never raises on an HTTP error status."""
        url = self.endpoint + path + (f"?{urlencode(query)}" if query else "")
        headers = {"Authorization": f"Bearer {self._access_token()}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        return _send(urllib.request.Request(url, data=data, headers=headers, method=method))

    def call(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        status, answer = self.request(method, path, body, query or None)
        if status >= 400:
            raise LogtoApiError(method, path, status, answer)
        return answer

    def _access_token(self) -> str:
        if self._token and time.monotonic() < self._token_expires:
            return self._token
        status, answer = self.token_request()
        if status >= 400:
            pytest.fail(f"Logto refused the M2M app's token request: {answer}", pytrace=False)
        self._token = answer["access_token"]
        self._token_expires = time.monotonic() + answer.get("expires_in", 60) - 30
        return self._token

    def token_request(self) -> tuple[int, Any]:
        """The client-credentials grant for the Management API, as (status, answer)."""
        basic = base64.b64encode(
            f"{quote(self.instance.m2m_app_id)}:{quote(self.instance.m2m_app_secret)}".encode()
        ).decode()
        form = {"grant_type": "client_credentials", "resource": self.instance.resource}
        request = urllib.request.Request(
            f"{self.endpoint}/oidc/token",
            data=urlencode({**form, "scope": "all"}).encode(),
            headers={"Authorization": f"Basic {basic}"},
            method="POST",
        )
        return _send(request)

    # -- state -------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        sign_in_exp = self.call("GET", "/api/sign-in-exp")
        return {
            "sign_in_exp": {key: sign_in_exp[key] for key in RESTORED_KEYS if key in sign_in_exp},
            "applications": {app["id"] for app in self.call("GET", "/api/applications")},
            "connectors": {c["id"] for c in self.call("GET", "/api/connectors")},
            "users": {user["id"] for user in self.all_users()},
            "resources": {r["id"] for r in self.call("GET", "/api/resources")},
            "roles": {role["id"] for role in self.all_pages("/api/roles")},
            "organizations": {o["id"] for o in self.all_pages("/api/organizations")},
            "organization-roles": {r["id"] for r in self.all_pages("/api/organization-roles")},
        }

    def all_users(self) -> list[dict[str, Any]]:
        """Every user, page by page (Logto pages its user list, 20 by default)."""
        return self.all_pages("/api/users")

    def all_pages(self, path: str) -> list[dict[str, Any]]:
        """Every item of a paged list."""
        items: list[dict[str, Any]] = []
        for page in range(1, 10_000):
            batch = self.call("GET", path, page=str(page), page_size=str(PAGE_SIZE))
            items += batch
            if len(batch) < PAGE_SIZE:
                return items
        raise AssertionError(f"more {path} than the suite expects of a test tenant")

    def reset(self) -> None:
        """Back to `baseline`: the sign-in experience first (it names connectors), then
        delete what was created since."""
        self.call("PATCH", "/api/sign-in-exp", self.baseline["sign_in_exp"])
        current = {
            "/api/applications": self.call("GET", "/api/applications"),  # all, unpaged
            "/api/connectors": self.call("GET", "/api/connectors"),
            "/api/users": self.all_users(),
            "/api/resources": self.call("GET", "/api/resources"),  # with their scopes
            "/api/roles": self.all_pages("/api/roles"),
            "/api/organizations": self.all_pages("/api/organizations"),
            "/api/organization-roles": self.all_pages("/api/organization-roles"),
        }
        for path, items in current.items():
            kept = self.baseline[path.rsplit("/", 1)[1]]
            for item in items:
                if item["id"] not in kept:
                    self.call("DELETE", f"{path}/{item['id']}")

    # -- helpers tests use -------------------------------------------------------------
    def create_user(self, username: str, password: str, **profile: Any) -> dict[str, Any]:
        body = {"username": username, "password": password, **profile}
        user: dict[str, Any] = self.call("POST", "/api/users", body)
        return user


def _send(request: urllib.request.Request) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    if not raw:
        return status, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


@contextlib.contextmanager
def tenant_lock(endpoint: str) -> Iterator[None]:
    """One test at a time changes the tenant at `endpoint` (workers may share a Logto)."""
    digest = hashlib.sha256(endpoint.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"logto-tenant-{digest}.lock"
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

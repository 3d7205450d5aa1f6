"""Run the local Logto-like OpenID Provider (tests/e2e/idp/server.mjs) for a test.

Example::

    with running_idp(
        tmp_path,
        clients=[{
            "client_id": "app",
            "client_secret": "secret",
            "redirect_uris": ["http://127.0.0.1:5000/callback"],
            "post_logout_redirect_uris": ["http://127.0.0.1:5000/"],
        }],
        accounts={"alice": {"name": "Alice Example", "email": "alice@example.com"}},
    ) as idp:
        ...  # LOGTO_ENDPOINT=idp.endpoint
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .processes import free_port, require_binary, running_process

IDP_DIR = Path(__file__).parents[1] / "e2e" / "idp"
#: A bound, not a wait: Node loads oidc-provider in about a second, but several test workers
#: starting browsers, servers and bakes at once have taken it past 30 s on busy cores.
IDP_START_TIMEOUT = 90.0

NODE_INSTALL_HINT = "apt-get install -y nodejs npm"
NPM_INSTALL_HINT = "npm ci --prefix tests/e2e/idp"

#: Options of `running_idp` and the IDP_CONFIG keys they set (see server.mjs).
IDP_OPTIONS = frozenset({"rotate_refresh_tokens", "id_token_ttl", "access_token_ttl"})

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Idp:
    endpoint: str
    """``http://127.0.0.1:PORT``: what an app puts in LOGTO_ENDPOINT."""
    issuer: str
    """``http://127.0.0.1:PORT/oidc``."""
    port: int
    log_path: Path

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def _get_json(self, path: str) -> Any:
        with _OPENER.open(f"{self.endpoint}{path}", timeout=10) as response:
            return json.load(response)

    def reset(self) -> None:
        """Forget the recorded authorization requests and request counts."""
        request = urllib.request.Request(f"{self.endpoint}/__test__/reset", method="POST")
        with _OPENER.open(request, timeout=10):
            pass

    def rotate_keys(self) -> list[str]:
        """Sign with a new key from now on, the old one still published; the kids, new first."""
        request = urllib.request.Request(f"{self.endpoint}/__test__/rotate-keys", method="POST")
        with _OPENER.open(request, timeout=10) as response:
            kids: list[str] = json.load(response)["kids"]
        return kids

    def authorization_requests(self) -> list[dict[str, Any]]:
        """Query parameters of every GET /oidc/auth so far, oldest first (a repeated
        parameter gives a list of strings)."""
        return self._get_json("/__test__/authorization-requests")

    def request_counts(self) -> dict[str, Any]:
        """How many requests each endpoint got: keys ``discovery``, ``jwks``, ``token``,
        ``userinfo``, ``authorization``, ``end_session``, ``grant_errors`` (token requests
        refused, a reused rotated refresh token among them) (ints) and ``by_path``
        ({path: int} for every path under /oidc)."""
        return self._get_json("/__test__/requests")


def check_idp_installed() -> str:
    """Return the path of ``node``; fail the test if node or the IdP's npm packages
    are missing."""
    node = require_binary("node", NODE_INSTALL_HINT)
    package = IDP_DIR / "node_modules" / "oidc-provider"
    if not (package / "package.json").is_file():
        pytest.fail(
            f"oidc-provider is not installed in {IDP_DIR / 'node_modules'}: {NPM_INSTALL_HINT}",
            pytrace=False,
        )
    return node


@contextlib.contextmanager
def running_idp(
    tmp_path: Path,
    clients: Sequence[Mapping[str, Any]],
    accounts: Mapping[str, Mapping[str, Any]],
    **options: Any,
) -> Iterator[Idp]:
    """Start the IdP on a free port, wait for its discovery document, yield an `Idp`
    (recorded requests and counts start empty), stop it (by PID) on exit.

    clients: ``[{"client_id", "client_secret", "redirect_uris": [...],
    "post_logout_redirect_uris": [...]}]``; accounts: ``{login: {"name", "email"}}``;
    options: ``rotate_refresh_tokens`` (bool), ``id_token_ttl``, ``access_token_ttl``
    (seconds). Its log is ``tmp_path / f"idp-{port}.log"``.
    """
    unknown = set(options) - IDP_OPTIONS
    if unknown:
        raise TypeError(
            f"unknown running_idp options: {sorted(unknown)}; known: {sorted(IDP_OPTIONS)}"
        )
    node = check_idp_installed()

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    idp = Idp(
        endpoint=endpoint,
        issuer=f"{endpoint}/oidc",
        port=port,
        log_path=Path(tmp_path) / f"idp-{port}.log",
    )
    config = {
        "port": port,
        "clients": [dict(client) for client in clients],
        "accounts": {login: dict(account) for login, account in accounts.items()},
        **options,
    }
    env = {**os.environ, "IDP_CONFIG": json.dumps(config)}
    with running_process(
        [node, "server.mjs"],
        cwd=IDP_DIR,
        env=env,
        log_path=idp.log_path,
        ready_url=idp.discovery_url,
        timeout=IDP_START_TIMEOUT,
    ):
        idp.reset()  # so the readiness probe is not counted
        yield idp

"""Everything one end-to-end test runs: the session store, the Logto-like IdP with a client
registered for the app, and the baked app configured for both."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .baked_app import BakedApp, bake_app
from .oidc_idp import Idp, running_idp
from .stores import running_store

ACCOUNTS = {"alice": {"name": "Alice Example", "email": "alice@example.com"}}


def app_client(app_url: str, client_id: str) -> dict[str, Any]:
    """The IdP's registration of an app served at `app_url`: a confidential client with the
    app's callback and post-sign-out URIs (what Logto Console holds for a bake)."""
    return {
        "client_id": client_id,
        "client_secret": secrets.token_urlsafe(24),
        "redirect_uris": [f"{app_url}/callback"],
        "post_logout_redirect_uris": [f"{app_url}/"],
    }


@contextlib.contextmanager
def idp_and_bake(
    tmp_path: Path,
    *,
    framework: str,
    backend: str,
    store: str,
    app_port: int,
    answers: dict[str, object] | None = None,
    accounts: Mapping[str, Mapping[str, Any]] = ACCOUNTS,
    **idp_options: Any,
) -> Iterator[tuple[Idp, BakedApp]]:
    """Start the store and the IdP (a confidential client for http://127.0.0.1:app_port,
    `accounts`, `idp_options` such as rotate_refresh_tokens), bake the app with `.env` filled
    in; the caller starts the app's server(s)."""
    app_url = f"http://127.0.0.1:{app_port}"
    client = app_client(app_url, f"e2e-{framework}-{store}".lower())
    with (
        running_store(store, tmp_path / "store") as store_env,
        running_idp(tmp_path, [client], accounts, **idp_options) as idp,
    ):
        app = bake_app(
            tmp_path / "bake",
            framework=framework,
            port=app_port,
            logto_endpoint=idp.endpoint,
            app_id=client["client_id"],
            app_secret=client["client_secret"],
            answers={"session_backend": backend, **(answers or {})},
            env=store_env,
        )
        yield idp, app

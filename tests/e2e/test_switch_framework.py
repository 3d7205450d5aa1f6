"""Every framework keeps sessions in one layout: a user signed in through the Flask bake is
still signed in when the Quart or the FastAPI bake serves the same URL with the same store and
`SECRET_KEY`; signing out through FastAPI ends the session for Flask too; signed in through
FastAPI (in another browser), the user is signed in for Quart, and signing out through Quart
ends it for FastAPI. Every session backend."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import BakedApp, bake_app, running_app
from tests.support.e2e_stack import ACCOUNTS, app_client
from tests.support.http_user import HttpUser, sign_in_at_idp
from tests.support.oidc_idp import running_idp
from tests.support.processes import free_port
from tests.support.stores import STORES, running_store

pytestmark = pytest.mark.e2e


def shared_store_env(store: str, directory: Path) -> dict[str, str]:
    """Where a file-backed store lives, the same for both bakes (`.env` defaults are
    relative to each project)."""
    if store == "sqlite":
        return {"DATABASE_URL": f"sqlite:///{directory / 'sessions.sqlite3'}"}
    if store == "filesystem":
        return {"SESSION_DIR": str(directory / "sessions")}
    return {}


def signed_in_name(user: HttpUser, url: str) -> str | None:
    """The name /profile shows, or None when it sends the user to sign in."""
    page = user.request(f"{url}/profile")
    if page.status == 302:
        return None
    assert page.status == 200, (page.status, page.body[:500])
    return ACCOUNTS["alice"]["name"] if ACCOUNTS["alice"]["name"] in page.body else page.body


@pytest.mark.parametrize(("backend", "store"), STORES, ids=[store for _, store in STORES])
def test_switching_framework_keeps_users_signed_in(
    backend: str, store: str, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    client = app_client(url, f"e2e-switch-{store}")
    with (
        running_store(store, tmp_path / "store") as store_env,
        running_idp(tmp_path, [client], ACCOUNTS) as idp,
    ):
        env = {
            "SECRET_KEY": secrets.token_urlsafe(32),
            **store_env,
            **shared_store_env(store, tmp_path / "shared"),
        }
        bakes: dict[str, BakedApp] = {
            framework: bake_app(
                tmp_path / framework,
                framework=framework,
                port=port,
                logto_endpoint=idp.endpoint,
                app_id=client["client_id"],
                app_secret=client["client_secret"],
                answers={"session_backend": backend},
                env=env,
            )
            for framework in FRAMEWORKS
        }
        user = HttpUser()
        served = iter(range(100))

        def serving(framework: str) -> Any:
            log_dir = tmp_path / f"{framework.lower()}-{next(served)}"
            log_dir.mkdir()
            return running_app(bakes[framework], log_dir)

        def sign_out(user: HttpUser) -> None:
            home = user.open(f"{url}/")
            form = next(form for form in home.forms if form.action.endswith("/sign-out"))
            user.submit(home, form)  # the IdP's end-session page follows

        with serving("Flask"):
            page = sign_in_at_idp(user, user.open(f"{url}/sign-in"), "alice")
            assert page.url == f"{url}/", page.history
            assert signed_in_name(user, url) == "Alice Example"
        with serving("Quart"):
            assert signed_in_name(user, url) == "Alice Example"  # signed in by Flask
        with serving("FastAPI"):
            assert signed_in_name(user, url) == "Alice Example"  # signed in by Flask
            sign_out(user)  # out through FastAPI
            assert signed_in_name(user, url) is None
        with serving("Flask"):
            assert signed_in_name(user, url) is None
        user = HttpUser()  # another browser: no session at the IdP yet
        with serving("FastAPI"):
            page = sign_in_at_idp(user, user.open(f"{url}/sign-in"), "alice")
            assert page.url == f"{url}/", page.history
            assert signed_in_name(user, url) == "Alice Example"
        with serving("Quart"):
            assert signed_in_name(user, url) == "Alice Example"  # signed in by FastAPI
            sign_out(user)  # out through Quart
            assert signed_in_name(user, url) is None
        with serving("FastAPI"):
            assert signed_in_name(user, url) is None

"""A session store that does not answer, as an operator meets it, with the bakes' real servers.

A stopped Redis or PostgreSQL (SIGSTOP: its kernel still accepts connections and data, and
nothing answers) under the production server: a signed-in page and `/readyz` answer 503 within
the store's limit, `/healthz` 200; once the server runs again (SIGCONT) the app serves the
same session, no restart. A Redis that is not running at all: `logto doctor` says what to
start and fails, the app starts with one warning line, and signing in ends on the same 503
page under the development server (debug mode) as under gunicorn, never a traceback."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import bake_app, production_command, running_app
from tests.support.e2e_stack import ACCOUNTS, app_client, idp_and_bake
from tests.support.http_user import HttpUser, Page, sign_in_at_idp
from tests.support.logto_bake import logto_command
from tests.support.oidc_idp import running_idp
from tests.support.processes import free_port, running_process
from tests.support.stores import paused_store

pytestmark = pytest.mark.e2e

UNAVAILABLE = "Sessions are unavailable"
#: The bake's README: a stopped Redis is a 503 within about 2 s (measured 1.5 s), PostgreSQL
#: within about 4 s (measured 4.0 s: the pool's ping, then a new connection); the rest is for
#: two busy cores.
ANSWER_LIMIT_SECONDS = 4 + 4
RECOVERY_LIMIT_SECONDS = 20.0
STORES = [("redis", "redis", "REDIS_URL"), ("sqlalchemy", "postgresql", "DATABASE_URL")]


def timed(user: HttpUser, url: str) -> tuple[Page, float]:
    started = time.monotonic()
    page = user.request(url)
    return page, time.monotonic() - started


def eventually(user: HttpUser, url: str, status: int) -> Page:
    """The first answer at `url` with `status`, polled until RECOVERY_LIMIT_SECONDS pass."""
    deadline = time.monotonic() + RECOVERY_LIMIT_SECONDS
    while (page := user.request(url)).status != status:
        assert time.monotonic() < deadline, f"{url}: still {page.status}"
        time.sleep(0.1)
    return page


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("backend", "store", "variable"), STORES, ids=[s[1] for s in STORES])
def test_a_stopped_store_is_a_503_within_its_limit_then_the_app_recovers(
    framework: str, backend: str, store: str, variable: str, tmp_path: Path
) -> None:
    port = free_port()
    with (
        idp_and_bake(
            tmp_path, framework=framework, backend=backend, store=store, app_port=port
        ) as (_idp, app),
        running_app(app, tmp_path) as url,
    ):
        user = HttpUser()
        home = sign_in_at_idp(user, user.open(f"{url}/sign-in"), "alice")
        assert "Alice Example" in home.body
        store_url = dotenv_values(app.project / ".env")[variable] or ""
        with paused_store(store_url):
            for path, status in (("/", 503), ("/readyz", 503), ("/healthz", 200)):
                page, took = timed(user, f"{url}{path}")
                assert page.status == status, (path, page.body)
                assert took < ANSWER_LIMIT_SECONDS, (path, took)
                if path == "/":
                    assert UNAVAILABLE in page.body
                if path == "/readyz":
                    assert page.body.startswith("not ready: cannot reach "), page.body
        assert "Alice Example" in eventually(user, f"{url}/", 200).body  # the same session
        assert eventually(user, f"{url}/readyz", 200).body == "ready\n"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_redis_not_running_is_a_fix_line_a_warning_and_the_503_page_in_both_servers(
    framework: str, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    redis_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    client = app_client(url, f"down-{framework}".lower())
    with running_idp(tmp_path, [client], ACCOUNTS) as idp:
        app = bake_app(
            tmp_path / "bake",
            framework=framework,
            port=port,
            logto_endpoint=idp.endpoint,
            app_id=client["client_id"],
            app_secret=client["client_secret"],
            answers={"session_backend": "redis"},
            env={"REDIS_URL": redis_url},
        )
        doctor = logto_command(app, "doctor")
        assert doctor.returncode != 0, doctor.stdout
        fixes = [line for line in doctor.stdout.splitlines() if line.startswith("fix: ")]
        (fix,) = fixes  # the rest of the setup is fine
        assert fix.startswith(f"fix: cannot reach Redis at {redis_url} (REDIS_URL): "), fix
        assert fix.endswith(": start it (redis-server) or set REDIS_URL"), fix

        servers = {
            "development": [sys.executable, "-m", app.package],
            "production": production_command(app),
        }
        for server, command in servers.items():
            log = tmp_path / f"{server}.log"
            with running_process(
                command, cwd=app.project, env=None, log_path=log, ready_url=f"{url}/healthz"
            ):
                user = HttpUser()
                page = sign_in_at_idp(user, user.open(f"{url}/sign-in"), "alice")
                assert (page.status, UNAVAILABLE in page.body) == (503, True), (server, page.body)
                readyz = user.request(f"{url}/readyz")
                assert readyz.status == 503, (server, readyz.body)
                assert readyz.body.startswith(f"not ready: cannot reach Redis at {redis_url}")
            text = log.read_text(encoding="utf-8")
            assert "Traceback" not in text, (server, text)
            warnings = [line for line in text.splitlines() if "pages answer 503 until" in line]
            assert warnings, (server, text)
            assert all("start it (redis-server) or set REDIS_URL" in line for line in warnings)

"""A new project's first run, as its README says: with the `.env` it was generated with, the
development server (`python -m <package>`) starts and shows a setup page naming every setting
that needs a value; the framework's CLI (`--help`, `routes`; FastAPI has none of its own)
works without settings; once
`.env` is filled in, the running server turns into the app without being restarted by hand."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import bake_app, set_env_values
from tests.support.e2e_stack import app_client
from tests.support.http_user import HttpUser
from tests.support.oidc_idp import running_idp
from tests.support.processes import free_port, running_process

pytestmark = pytest.mark.e2e

TURN_TIMEOUT = 60.0  # seconds for the dev server to restart on the new .env (busy cores)
PLACEHOLDERS = ("LOGTO_ENDPOINT", "LOGTO_APP_ID", "LOGTO_APP_SECRET")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_setup_page_then_the_app(framework: str, tmp_path: Path) -> None:
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    client = app_client(app_url, "first-run")
    app = bake_app(
        tmp_path / "bake",
        framework=framework,
        port=port,
        logto_endpoint="https://your-tenant.logto.app",
        app_id="your-app-id",
        app_secret="your-app-secret",
    )
    if framework != "FastAPI":  # the framework's own CLI (FastAPI's needs fastapi[standard])
        cli = framework.lower()
        for args in (["--help"], ["routes"]):
            run = subprocess.run(
                [str(Path(sys.executable).parent / cli), *args],
                cwd=app.project,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert run.returncode == 0, (args, run.stdout, run.stderr)
        assert "/profile" in run.stdout and "/callback" in run.stdout  # the app's routes

    with (
        running_idp(tmp_path, [client], {"alice": {"name": "Alice Example"}}) as idp,
        running_process(
            [sys.executable, "-m", app.package],
            cwd=app.project,
            env=None,
            log_path=tmp_path / "dev-server.log",
            ready_url=f"{app_url}/static/style.css",
        ),
    ):
        user = HttpUser()
        page = user.request(f"{app_url}/")
        assert page.status == 503
        for name in PLACEHOLDERS:
            assert f"<li>{name} is still the placeholder" in page.body

        set_env_values(
            app.project / ".env",
            {
                "LOGTO_ENDPOINT": idp.endpoint,
                "LOGTO_APP_ID": client["client_id"],
                "LOGTO_APP_SECRET": client["client_secret"],
            },
        )
        deadline = time.monotonic() + TURN_TIMEOUT
        while True:  # the server restarts on the new .env; until then, the setup page or no answer
            try:
                page = user.request(f"{app_url}/")
            except OSError:
                page = None
            if page is not None and page.status == 200:
                break
            assert time.monotonic() < deadline, f"still the setup page: {page and page.body}"
            time.sleep(0.2)
        assert "Welcome" in page.body
        started = user.open(f"{app_url}/sign-in")
        assert started.url.startswith(f"{idp.issuer}/interaction/"), started.url

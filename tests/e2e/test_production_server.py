"""The README's production command, as written: a worker that dies is replaced while the
service keeps answering (and keeps its users signed in), and bad settings are one line and
exit status 3 (no gunicorn log, no traceback), for both frameworks."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import bake_app, production_command
from tests.support.e2e_stack import idp_and_bake
from tests.support.http_user import HttpUser, sign_in_at_idp
from tests.support.processes import free_port, running_process

pytestmark = pytest.mark.e2e

RESPAWN_TIMEOUT = 60.0  # seconds for gunicorn to replace a killed worker (2 busy cores)
WORKERS = 2  # the README's --workers


def workers_of(master: int) -> set[int]:
    """The PIDs of `master`'s children: gunicorn's workers."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def wait_for_workers(master: int, without: set[int]) -> set[int]:
    """Poll until `master` runs WORKERS workers, none of them in `without`."""
    deadline = time.monotonic() + RESPAWN_TIMEOUT
    while time.monotonic() < deadline:
        workers = workers_of(master)
        if len(workers) == WORKERS and not workers & without:
            return workers
        time.sleep(0.05)
    raise AssertionError(f"gunicorn {master} runs {workers_of(master)}; killed {without}")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_killed_worker_is_replaced_and_the_service_keeps_answering(
    framework: str, tmp_path: Path
) -> None:
    port = free_port()
    with idp_and_bake(
        tmp_path, framework=framework, backend="redis", store="redis", app_port=port
    ) as (_idp, app):
        url = app.base_url
        with running_process(
            production_command(app),
            cwd=app.project,
            env=None,
            log_path=tmp_path / "server.log",
            ready_url=f"{url}/healthz",
        ) as master:
            user = HttpUser()
            assert sign_in_at_idp(user, user.open(f"{url}/sign-in"), "alice").url == f"{url}/"
            for victim_signal in (signal.SIGKILL, signal.SIGBUS):  # killed; crashed
                workers = wait_for_workers(master.pid, set())
                victim = min(workers)
                os.kill(victim, victim_signal)
                wait_for_workers(master.pid, {victim})
                assert master.poll() is None, "gunicorn stopped"
                for _ in range(2 * WORKERS):  # every worker answers, signed in
                    page = user.request(f"{url}/profile")
                    assert page.status == 200 and "Alice Example" in page.body


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_bad_settings_are_one_line_and_status_3(framework: str, tmp_path: Path) -> None:
    """The bake's `.env` as generated: its placeholders stop the server, all named."""
    port = free_port()
    app = bake_app(
        tmp_path,
        framework=framework,
        port=port,
        logto_endpoint="https://your-tenant.logto.app",
        app_id="your-app-id",
        app_secret="your-app-secret",
    )
    run = subprocess.run(
        production_command(app), cwd=app.project, capture_output=True, text=True, timeout=120
    )
    output = (run.stdout + run.stderr).strip().splitlines()
    assert run.returncode == 3, output
    assert len(output) == 1 and output[0].startswith("error: 3 settings need fixing: "), output
    for name in ("LOGTO_ENDPOINT", "LOGTO_APP_ID", "LOGTO_APP_SECRET"):  # every one, at once
        assert f"{name} is still the placeholder" in output[0]

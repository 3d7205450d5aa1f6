"""`quart logto ...`: the `logto` commands as a command group of Quart's CLI, registered by
pyproject.toml's `quart.commands` entry point, the same group as the `logto` console script."""

from __future__ import annotations

from pathlib import Path

from .installed_project import installed_copy


def test_quart_logto_is_the_logto_group(
    tmp_path: Path, reachable_store_env: dict[str, str]
) -> None:
    copy = installed_copy(tmp_path)
    values = {
        "LOGTO_ENDPOINT": "https://your-tenant.logto.app",
        "LOGTO_APP_ID": "your-app-id",
        "LOGTO_APP_SECRET": "your-app-secret",
        "APP_BASE_URL": "http://localhost:3000",
        **reachable_store_env,
    }
    env = "".join(f"{name}={value}\n" for name, value in values.items())
    (copy.project / ".env").write_text(env, encoding="utf-8")
    helped = copy.run(["-m", "quart", "logto", "--help"], cwd=copy.project)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("Usage: python -m quart logto [OPTIONS] COMMAND")
    listed = helped.stdout.split("Commands:")[1].split()
    assert {"provision", "doctor", "connectors"} <= set(listed)
    for args in (["doctor"], ["provision"]):
        framework = copy.run(["-m", "quart", "logto", *args], cwd=copy.project)
        script = copy.logto_script(*args, cwd=copy.project)
        assert framework.returncode == script.returncode == 1, framework.stderr
        assert (framework.stdout, framework.stderr) == (script.stdout, script.stderr)

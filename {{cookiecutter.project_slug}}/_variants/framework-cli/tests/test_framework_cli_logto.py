"""`<framework> logto ...`: the `logto` commands as a command group of the web framework's CLI,
registered by pyproject.toml's `<framework>.commands` entry point, the same group as the
`logto` console script."""

from __future__ import annotations

from pathlib import Path

from logto_kit.about import WEB_FRAMEWORK

from .installed_project import installed_copy

CLI = WEB_FRAMEWORK.lower()  # the framework's command (`python -m <it>`)


def test_the_framework_cli_logto_is_the_logto_group(
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
    helped = copy.run(["-m", CLI, "logto", "--help"], cwd=copy.project)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith(f"Usage: python -m {CLI} logto [OPTIONS] COMMAND")
    listed = helped.stdout.split("Commands:")[1].split()
    assert {"provision", "doctor", "connectors"} <= set(listed)
    for args in (["doctor"], ["provision"]):
        framework = copy.run(["-m", CLI, "logto", *args], cwd=copy.project)
        script = copy.logto_script(*args, cwd=copy.project)
        assert framework.returncode == script.returncode == 1, framework.stderr
        assert (framework.stdout, framework.stderr) == (script.stdout, script.stderr)

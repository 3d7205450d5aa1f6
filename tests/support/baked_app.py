"""Bake a project wired to a local IdP and run it under its documented production server."""

from __future__ import annotations

import contextlib
import re
import shlex
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.main import cookiecutter

from .processes import running_process

TEMPLATE_ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_LINE = re.compile(r"^gunicorn .*$", re.M)


@dataclass(frozen=True)
class BakedApp:
    project: Path
    package: str
    framework: str
    base_url: str
    port: int


def bake_app(
    output_dir: Path,
    *,
    framework: str,
    port: int,
    logto_endpoint: str,
    app_id: str,
    app_secret: str,
    answers: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
) -> BakedApp:
    """Bake with defaults plus `answers`, then fill `.env` as a user would from the Console
    (plus `env`, e.g. the session store's URL)."""
    base_url = f"http://127.0.0.1:{port}"
    project = Path(
        cookiecutter(
            str(TEMPLATE_ROOT),
            no_input=True,
            output_dir=str(output_dir),
            extra_context={
                "web_framework": framework,
                "logto_endpoint": logto_endpoint,
                "app_base_url": base_url,
                **(answers or {}),
            },
        )
    )
    set_env_values(
        project / ".env",
        {"LOGTO_APP_ID": app_id, "LOGTO_APP_SECRET": app_secret, **(env or {})},
    )
    package = project.name.replace("-", "_")
    return BakedApp(project, package, framework, base_url, port)


def set_env_values(dotenv: Path, values: Mapping[str, str]) -> None:
    lines = dotenv.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        key = line.split("=", 1)[0]
        if key in values:
            lines[index] = f"{key}={values[key]}"
    dotenv.write_text("\n".join(lines) + "\n", encoding="utf-8")


def production_command(app: BakedApp, port: int | None = None) -> list[str]:
    """The production command from the baked README, bound to a loopback port."""
    readme = (app.project / "README.md").read_text(encoding="utf-8")
    match = PRODUCTION_LINE.search(readme)
    assert match, "the README documents no gunicorn command"
    args = shlex.split(match.group(0))
    documented_bind = f"0.0.0.0:{app.port}"  # the port of the bake's app_base_url
    assert documented_bind in args, args
    args[args.index(documented_bind)] = f"127.0.0.1:{port or app.port}"
    args[0] = str(Path(sys.executable).parent / args[0])
    if args[0].endswith("gunicorn"):
        args.insert(1, "--no-control-socket")  # gunicorn 27's control socket fails in sandboxes
    return args


@contextlib.contextmanager
def running_app(app: BakedApp, log_dir: Path, port: int | None = None) -> Iterator[str]:
    """Serve `app` (on its own port, or another one: a second instance); yield its URL."""
    port = port or app.port
    with running_process(
        production_command(app, port),
        cwd=app.project,
        env=None,
        log_path=log_dir / f"app-{app.framework.lower()}-{port}.log",
        ready_url=f"http://127.0.0.1:{port}/",
    ):
        yield f"http://127.0.0.1:{port}"

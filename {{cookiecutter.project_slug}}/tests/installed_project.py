"""The `logto` commands as a user runs them: processes of their own, in a copy of the project
installed as `pip install -e .` installs it.

`installed_copy` copies the machinery (`logto_kit/`) into a folder of its own, whose `.env`
the test writes (the project's real `.env` is never read), and writes the metadata an
editable install leaves: a `*.dist-info` with the entry points `pyproject.toml` declares (the
`logto` console script, the framework's command group). `logto_script` runs the console
script as the wrapper an installer writes does: the declared entry point, loaded and called.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from logto_kit.about import WEB_FRAMEWORK
from logto_kit.settings import PROJECT_ROOT

#: The wrapper an installer writes for a `[project.scripts]` entry, as one `python -c`.
CONSOLE_SCRIPT = (
    "import sys; from importlib.metadata import entry_points; "
    "(script,) = entry_points(group='console_scripts', name='logto'); "
    "sys.argv[0] = 'logto'; sys.exit(script.load()())"
)
#: Variables of ours a developer's shell may hold: the commands must read only `.env`.
OURS = ("LOGTO_", "APP_BASE_URL", "SECRET_KEY", f"{WEB_FRAMEWORK.upper()}_")


def declared_project() -> dict[str, Any]:
    with open(PROJECT_ROOT / "pyproject.toml", "rb") as file:
        project: dict[str, Any] = tomllib.load(file)["project"]
    return project


def declared_entry_points() -> dict[str, dict[str, str]]:
    """Each entry point group of `pyproject.toml`, the console scripts as `console_scripts`."""
    project = declared_project()
    return {"console_scripts": project.get("scripts", {}), **project.get("entry-points", {})}


@dataclass(frozen=True)
class InstalledCopy:
    project: Path  # holds logto_kit/ and the `.env` the commands read
    site: Path  # the install's metadata (*.dist-info)

    def run(self, command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
        environ["PYTHONPATH"] = os.pathsep.join([str(self.site), str(self.project)])
        return subprocess.run(
            [sys.executable, *command],
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def logto_script(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """`logto ARGS` run in `cwd`."""
        return self.run(["-c", CONSOLE_SCRIPT, *args], cwd)


def installed_copy(directory: Path) -> InstalledCopy:
    project = directory / "project"
    shutil.copytree(
        PROJECT_ROOT / "logto_kit",
        project / "logto_kit",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    # The project's own name: found first (PYTHONPATH), it hides an install of the project
    # itself from the entry points.
    name, version = declared_project()["name"], declared_project()["version"]
    dist_info = directory / "site" / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    groups = [
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items())
        for group, entries in declared_entry_points().items()
    ]
    (dist_info / "entry_points.txt").write_text("\n".join(groups), encoding="utf-8")
    return InstalledCopy(project, directory / "site")

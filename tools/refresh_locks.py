"""Refresh the locks each framework x session backend ships: `uv.lock` (every package a bake
of those answers uses, its dev tools included, for uv) and `requirements-lock.txt` (the runtime
ones only, pinned with hashes, for pip and the Dockerfile), for Python 3.11 and newer on any
platform.

Both come from one resolution, so they cannot disagree: for each combination this script bakes
the template (cookiecutter, the answers' defaults otherwise), runs `uv lock` on the bake's own
pyproject.toml, and then writes `requirements-lock.txt` with `uv export` from that `uv.lock`
(runtime dependencies only, with hashes). Every runtime package therefore has the same version
in both files; tests/test_bake_tooling.py checks it, and that each bake's `uv lock --check`
passes. (Two resolutions, `uv pip compile` for one file and `uv lock` for the other, kept equal
by constraints, could still differ where the constraints say nothing: in markers, in the
packages only one of them needs.) The bake is the real one, so its `uv.lock` also holds what
uv checks against the project's pyproject.toml: the declared specifiers, the dev group, the
`dev` extra.

Pins are kept unless the declared dependencies force a change: the bake starts from the
combination's current `uv.lock`, which uv keeps where it still fits. A pin changed in
`requirements-lock.txt` since the last run (a Dependabot pull request does that) is carried into
`uv.lock` first (`uv lock --upgrade-package name==version`), so the export keeps it; a package
pinned at several versions (split by markers) is left to uv. `--upgrade` moves every package to
its newest allowed version instead.

The locks live in `_variants/lock-<framework>-<backend>/` (the variant manifest moves the chosen
ones into the project); they were resolved for the default project name, and the
post-generation hook gives `uv.lock`'s entry for the project the bake's own name.

Run: python3 tools/refresh_locks.py [--upgrade] [--framework NAME]   (needs uv and cookiecutter,
and PyPI)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ROOT / "{{cookiecutter.project_slug}}" / "_variants"
FRAMEWORKS = ("Flask", "Quart", "FastAPI")
BACKENDS = ("cookie", "redis", "sqlalchemy", "filesystem")
UV_LOCK = "uv.lock"
REQUIREMENTS_LOCK = "requirements-lock.txt"
HEADER = (
    "# Every runtime dependency of this project, pinned with hashes: uv.lock's versions,\n"
    "# exported by python3 tools/refresh_locks.py of the template (see the README to redo it).\n"
)
PIN_RE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)", re.M)


def lock_dir(framework: str, backend: str) -> Path:
    return VARIANTS / f"lock-{framework.lower()}-{backend}"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_pins(text: str) -> dict[str, set[str]]:
    """name -> the versions a requirements file pins (several where markers split them)."""
    pins: dict[str, set[str]] = {}
    for match in PIN_RE.finditer(text):
        pins.setdefault(canonical(match["name"]), set()).add(match["version"])
    return pins


def lock_versions(lock_text: str) -> dict[str, set[str]]:
    """name -> the versions uv.lock holds."""
    versions: dict[str, set[str]] = {}
    for package in tomllib.loads(lock_text).get("package", []):
        versions.setdefault(package["name"], set()).add(package.get("version", ""))
    return versions


def bake(framework: str, backend: str, scratch: Path) -> Path:
    """A bake of the template with these answers (the others at their defaults), holding the
    combination's current locks. Cookiecutter runs with a configuration of its own, so the
    user's replay file and template clones stay as they are."""
    config = scratch / "cookiecutter.yaml"
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(scratch / 'cookiecutters'))}\n"
        f"replay_dir: {json.dumps(str(scratch / 'replay'))}\n",
        encoding="utf-8",
    )
    output = scratch / "bake"
    answers = [f"web_framework={framework}", f"session_backend={backend}"]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file", str(config)]
    done = subprocess.run(
        [*command, "--output-dir", str(output), str(ROOT), *answers],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"cookiecutter failed for {framework} + {backend}:\n{done.stdout}{done.stderr}")
    (project,) = output.iterdir()
    return project


def uv(*args: str, cwd: Path) -> None:
    subprocess.run(["uv", *args], cwd=cwd, check=True)


def refresh(framework: str, backend: str, *, upgrade: bool) -> None:
    target = lock_dir(framework, backend)
    with tempfile.TemporaryDirectory() as scratch:
        project = bake(framework, backend, Path(scratch))
        lock_args = ["lock", "--quiet"]
        if upgrade:
            lock_args.append("--upgrade")
        elif (project / REQUIREMENTS_LOCK).is_file():
            # Pins edited in requirements-lock.txt since the last run go into uv.lock first.
            locked = (
                lock_versions((project / UV_LOCK).read_text(encoding="utf-8"))
                if (project / UV_LOCK).is_file()
                else {}
            )
            pins = requirement_pins((project / REQUIREMENTS_LOCK).read_text(encoding="utf-8"))
            for name, versions in sorted(pins.items()):
                if len(versions) == 1 and locked.get(name) != versions:
                    lock_args += ["--upgrade-package", f"{name}=={next(iter(versions))}"]
        uv(*lock_args, cwd=project)
        uv(
            "export",
            "--frozen",
            "--quiet",
            "--format",
            "requirements-txt",
            "--no-dev",
            "--no-emit-project",
            "--no-header",
            "--output-file",
            REQUIREMENTS_LOCK,
            cwd=project,
        )
        exported = (project / REQUIREMENTS_LOCK).read_text(encoding="utf-8")
        target.mkdir(exist_ok=True)
        (target / REQUIREMENTS_LOCK).write_text(HEADER + exported, encoding="utf-8")
        shutil.copyfile(project / UV_LOCK, target / UV_LOCK)
    print(f"{target.relative_to(ROOT)}: {framework} + {backend}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--upgrade", action="store_true", help="every package to its newest allowed version"
    )
    parser.add_argument(
        "--framework", choices=FRAMEWORKS, action="append", help="only this one (repeatable)"
    )
    options = parser.parse_args()
    for framework in options.framework or FRAMEWORKS:
        for backend in BACKENDS:
            refresh(framework, backend, upgrade=options.upgrade)


if __name__ == "__main__":
    main()

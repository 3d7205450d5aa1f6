"""Refresh the lock file each framework x session backend ships: every runtime dependency a
bake of those answers declares, pinned with hashes, for Python 3.11 and newer on any platform.

The locks live in `_variants/lock-<framework>-<backend>/requirements-lock.txt` (the variant
manifest moves the chosen one into the project); the bake's Dockerfile installs from it with
`--require-hashes`, and Dependabot keeps its pins current between runs of this script.
tests/test_bake_tooling.py checks that each lock pins what its bake declares.

Run: python3 tools/refresh_locks.py   (needs uv, and PyPI)
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "{{cookiecutter.project_slug}}"
VARIANTS = PROJECT / "_variants"
REQUIREMENTS = PROJECT / "_requirements"
FRAMEWORKS = ("Flask", "Quart")
BACKENDS = ("cookie", "redis", "sqlalchemy", "filesystem")
LOCK_FILE = "requirements-lock.txt"
RUNTIME_ALWAYS = "requirements.txt"  # every bake's own (the dev tools are not locked)
PYTHON = "3.11"  # the oldest the bakes support: the lock holds for it and every newer one


def post_gen_hook():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "post_gen", ROOT / "hooks" / "post_gen_project.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lock_dir(framework: str, backend: str) -> Path:
    return VARIANTS / f"lock-{framework.lower()}-{backend}"


def runtime_requirements(framework: str, backend: str) -> list[str]:
    """The requirement files a bake of these answers declares as dependencies."""
    answers = {  # the optional parts add no dependency: all off
        "web_framework": framework,
        "session_backend": backend,
        "use_twilio": False,
        "use_patreon": False,
        "api_resource": "",
        "use_organizations": False,
        "use_backchannel_logout": False,
        "__protected_api": "no",
        "__verifies_tokens": "no",
    }
    hook = post_gen_hook()
    chosen = [
        name
        for variant in hook.load_manifest(VARIANTS, answers)
        if variant.chosen(answers)
        for name in variant.requirements
    ]
    return [RUNTIME_ALWAYS, *chosen]


def main() -> None:
    for framework in FRAMEWORKS:
        for backend in BACKENDS:
            target = lock_dir(framework, backend) / LOCK_FILE
            target.parent.mkdir(exist_ok=True)
            with tempfile.TemporaryDirectory() as scratch:
                inputs = Path(scratch) / "requirements.in"
                inputs.write_text(
                    "".join(
                        (REQUIREMENTS / name).read_text(encoding="utf-8")
                        for name in runtime_requirements(framework, backend)
                    ),
                    encoding="utf-8",
                )
                subprocess.run(
                    [
                        "uv",
                        "pip",
                        "compile",
                        str(inputs),
                        "--universal",
                        "--python-version",
                        PYTHON,
                        "--generate-hashes",
                        "--quiet",
                        "--output-file",
                        str(target),
                        "--custom-compile-command",
                        "python3 tools/refresh_locks.py",
                    ],
                    check=True,
                )
            print(f"{target.relative_to(ROOT)}: {framework} + {backend}", file=sys.stderr)


if __name__ == "__main__":
    main()

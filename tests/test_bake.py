"""Bake every supported combination; each bake must be clean, lint-free and pass its own tests."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

from tests.bakes import (
    CODE_PLACEHOLDER,
    COMBINATIONS,
    CONNECTOR_VARIABLES,
    FRAMEWORKS,
    STORE_VARIABLES,
    combination_id,
    leftover_jinja,
    run,
    run_baked_tests,
    unsatisfied_dependencies,
)
from tests.conftest import TEMPLATE_ROOT


@pytest.fixture(scope="module", params=COMBINATIONS, ids=combination_id)
def baked(request: pytest.FixtureRequest, cookies_session: Any) -> tuple[dict[str, Any], Path]:
    answers: dict[str, Any] = request.param
    result = cookies_session.bake(extra_context=answers)
    assert result.exit_code == 0, result.exception
    assert result.exception is None
    return answers, Path(result.project_path)


def test_bake_is_complete(baked: tuple[dict[str, Any], Path]) -> None:
    _answers, project = baked
    for name in (
        "logto_web_app/app.py",
        "logto_web_app/views.py",
        "logto_web_app/templates/home.html",
        "logto_web_app/static/style.css",
        "logto_kit/__init__.py",
        "logto_kit/CHANGELOG.md",
        "logto_kit/web/extension.py",
        "logto_kit/auth/logto_auth.py",
        "logto_kit/admin/cli.py",
        "logto_kit/web/templates/logto/error.html",
    ):
        assert (project / name).is_file(), name
    for name in (".env", ".env.example", ".gitignore", "README.md", "pyproject.toml"):
        assert (project / name).is_file(), name
    assert not (project / "_variants").exists(), "variants must be resolved"


def test_no_template_syntax_left(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    assert leftover_jinja(project) == []


def test_readme_layout_names_every_module(baked: tuple[dict[str, Any], Path]) -> None:
    """Both packages: the app's modules by their path, the kit's by theirs or relative to it."""
    _, project = baked
    readme = (project / "README.md").read_text(encoding="utf-8")
    layout = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([^`]+)`", layout))
    missing = []
    for package in ("logto_web_app", "logto_kit"):
        root = project / package
        for path in sorted(root.rglob("*.py")):
            module = path.relative_to(root).as_posix()
            if "/" in module and module.endswith("__init__.py"):
                continue  # a sub-package's `__init__.py`: its row is the folder's
            names = [f"{package}/{module}", *([module] if package == "logto_kit" else [])]
            if not any(fnmatch.fnmatch(name, pattern) for name in names for pattern in named):
                missing.append(f"{package}/{module}")
    assert missing == []


def test_baked_tests_are_a_package(baked: tuple[dict[str, Any], Path]) -> None:
    """The bake's test helpers live in its `tests` package and are imported relatively, so
    their names (pages, flows, servers, ...) cannot clash with the owner's own modules."""
    _, project = baked
    tests = project / "tests"
    assert (tests / "__init__.py").is_file()
    helpers = {path.stem for path in tests.glob("*.py")} - {"__init__", "conftest"}
    top_level = re.compile(rf"^(from|import) ({'|'.join(sorted(helpers))})\b", re.M)
    assert [p.name for p in tests.glob("*.py") if top_level.search(p.read_text())] == []


def test_pyproject_comments_speak_to_the_owner(baked: tuple[dict[str, Any], Path]) -> None:
    """Notes about how the template renders a file stay in the template (Jinja comments)."""
    _, project = baked
    lines = (project / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.lstrip().startswith("#")]
    assert not [c for c in comments if re.search(r"\banswers?\b|pre hook|escaping", c, re.I)]


def test_only_the_chosen_framework_is_present(baked: tuple[dict[str, Any], Path]) -> None:
    answers, project = baked
    others = [name.lower() for name in FRAMEWORKS if name != answers["web_framework"]]
    for path in [*project.rglob("*.py"), project / "pyproject.toml"]:
        text = path.read_text(encoding="utf-8")
        for other in others:
            assert not re.search(rf"^\s*(from|import) {other}\b", text, re.M), path
            assert f'"{other}' not in text, path
    for other in others:
        assert not (project / f".{other}env").exists()


def test_env_files_hold_exactly_the_answers(baked: tuple[dict[str, Any], Path]) -> None:
    answers, project = baked
    expected = {
        "LOGTO_ENDPOINT": "https://your-tenant.logto.app",
        "LOGTO_APP_ID": "your-app-id",
        "LOGTO_APP_SECRET": "your-app-secret",
        "APP_BASE_URL": "http://localhost:3000",
        **STORE_VARIABLES[answers.get("session_backend", "cookie")],
        **{
            name: value
            for connector, variables in CONNECTOR_VARIABLES.items()
            if answers.get(connector)
            for name, value in variables.items()
        },
        **({"LOGTO_API_RESOURCE": answers["api_resource"]} if answers.get("api_resource") else {}),
        "LOGTO_M2M_APP_ID": "",
        "LOGTO_M2M_APP_SECRET": "",
        "SECRET_KEY": "",
        "LOG_LEVEL": "INFO",
        "MAX_REQUEST_BYTES": "1048576",
    }
    assert dotenv_values(project / ".env.example") == expected
    written = dotenv_values(project / ".env")
    secret_key = written.pop("SECRET_KEY")
    assert secret_key and len(secret_key) >= 32
    assert written == {key: value for key, value in expected.items() if key != "SECRET_KEY"}


def test_ruff_is_clean(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    for args in (["check", "."], ["format", "--check", "."]):
        result = run([sys.executable, "-m", "ruff", *args], cwd=project)
        assert result.returncode == 0, result.stdout + result.stderr


def test_dependencies_are_declared_and_installed_here(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    assert unsatisfied_dependencies(project) == []


def test_baked_project_passes_its_own_tests(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    result = run_baked_tests(project)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 100, summary
    assert "failed" not in summary and "error" not in summary, summary


def test_default_bake_from_the_command_line(tmp_path: Path) -> None:
    """The README's main command: `cookiecutter --no-input <template>` needs no server."""
    result = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE_ROOT)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "logto-web-app"
    assert (project / "logto_web_app" / "app.py").is_file()
    assert "http://localhost:3000/callback" in result.stdout
    assert "Traceback" not in result.stderr


def test_connectors_ship_only_when_chosen(baked: tuple[dict[str, Any], Path]) -> None:
    """A connector not chosen leaves no code, file, test or setting in the bake."""
    answers, project = baked
    package = project / "logto_kit"
    for connector, files in {
        "use_twilio": ["connectors/twilio.py", "connectors/twilio_sms_templates.json"],
        "use_patreon": ["connectors/patreon.py"],
    }.items():
        chosen = bool(answers.get(connector))
        name = connector.removeprefix("use_")
        assert all((package / file).is_file() is chosen for file in files), connector
        assert (project / "tests" / f"test_{name}.py").is_file() is chosen
        assert (project / "tests" / f"{name}_connector.py").is_file() is chosen
        mentions = [
            path.relative_to(project).as_posix()
            for path in (*package.rglob("*.py"), project / ".env", project / ".env.example")
            if name.upper() + "_" in path.read_text(encoding="utf-8")
        ]
        assert bool(mentions) is chosen, mentions
    if answers.get("use_twilio"):
        texts = package / "connectors" / "twilio_sms_templates.json"
        templates = json.loads(texts.read_text(encoding="utf-8"))
        assert {"Register", "SignIn", "ForgotPassword", "Generic"} <= {
            template["usageType"] for template in templates
        }
        assert all(CODE_PLACEHOLDER in template["content"] for template in templates)

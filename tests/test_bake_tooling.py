"""The baked repository's tooling, for every combination: strict mypy, the CI workflow, the
pre-commit hooks, clean text files, and the dependency files that Dependabot reads.

pre-commit cannot download its hooks here, so its config is validated (`pre-commit validate-config`
works offline) and what the basic hooks check is checked in Python.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import re
import shlex
import shutil
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.bakes import COMBINATIONS, combination_id, run, text_files
from tests.conftest import TEMPLATE_ROOT
from tests.test_bake_security import declared_dependencies, installed_closure

PROJECT_TEMPLATE = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"
REQUIREMENTS_DIR = PROJECT_TEMPLATE / "_requirements"
VARIANTS_MANIFEST = PROJECT_TEMPLATE / "_variants" / "variants.toml"
DEPENDABOT_CONFIG = TEMPLATE_ROOT / ".github" / "dependabot.yml"
CI_WORKFLOW = Path(".github/workflows/ci.yml")
#: The service container (and the variable pointing the tests at it) of each session backend.
SERVICES = {
    "redis": ("redis", "TEST_REDIS_URL"),
    "sqlalchemy": ("postgres", "TEST_POSTGRES_URL"),
}
#: What pre-commit-hooks' detect-private-key looks for.
PRIVATE_KEY_MARKERS = (
    "BEGIN RSA PRIVATE KEY",
    "BEGIN DSA PRIVATE KEY",
    "BEGIN EC PRIVATE KEY",
    "BEGIN OPENSSH PRIVATE KEY",
    "BEGIN PRIVATE KEY",
    "PuTTY-User-Key-File-2",
    "BEGIN SSH2 ENCRYPTED PRIVATE KEY",
    "BEGIN PGP PRIVATE KEY BLOCK",
    "BEGIN ENCRYPTED PRIVATE KEY",
    "BEGIN OpenVPN Static key V1",
)
LARGE_FILE_BYTES = 500 * 1024  # check-added-large-files' default limit


@pytest.fixture(scope="module", params=COMBINATIONS, ids=combination_id)
def baked(request: pytest.FixtureRequest, cookies_session: Any) -> tuple[dict[str, Any], Path]:
    answers: dict[str, Any] = request.param
    result = cookies_session.bake(extra_context=answers)
    assert result.exit_code == 0, result.exception
    return answers, Path(result.project_path)


def session_backend(answers: dict[str, Any]) -> str:
    return str(answers.get("session_backend", "cookie"))


def load_workflow(project: Path) -> dict[Any, Any]:
    workflow = yaml.safe_load((project / CI_WORKFLOW).read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    return workflow


# --- mypy ---------------------------------------------------------------------------------


def test_mypy_strict_is_clean(
    baked: tuple[dict[str, Any], Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The project's own mypy settings (strict), over the package and its tests.

    One cache per xdist worker (its base temp dir): a worker runs one mypy at a time, and mypy
    rechecks every module whose file differs, so bakes share only the installed libraries.
    """
    _, project = baked
    settings = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert settings["tool"]["mypy"]["strict"] is True
    cache = tmp_path_factory.getbasetemp() / "mypy-cache"
    result = run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache)], cwd=project, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    checked = re.search(r"no issues found in (\d+) source files", result.stdout)
    assert checked and int(checked.group(1)) >= 50, result.stdout


def test_every_import_comes_with_the_declared_dependencies(
    baked: tuple[dict[str, Any], Path],
) -> None:
    """CI installs only the bake's dependencies before running mypy and pytest: each third-party
    module that the package or its tests import must come with them (directly or not)."""
    _, project = baked
    local = {path.stem for path in project.rglob("*.py")} | {
        path.name for path in project.iterdir() if (path / "__init__.py").is_file()
    }
    imported: set[str] = set()
    for path in project.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.partition(".")[0])
    third_party = imported - local - set(sys.stdlib_module_names) - {"__future__"}
    installed = set(installed_closure(declared_dependencies(project)))
    providers = importlib.metadata.packages_distributions()
    missing = sorted(
        module
        for module in third_party
        if not {canonicalize_name(name) for name in providers.get(module, [])} & installed
    )
    assert len(third_party) >= 8, third_party
    assert missing == [], f"imported but not installed by the declared dependencies: {missing}"


# --- the CI workflow ----------------------------------------------------------------------


def test_ci_workflow_is_a_valid_github_workflow(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    result = run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(project / CI_WORKFLOW),
        ],
        cwd=project,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = load_workflow(project)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert set(workflow["jobs"]) == {"lint", "type-check", "tests"}


def test_ci_uses_only_the_chosen_backends_service(baked: tuple[dict[str, Any], Path]) -> None:
    answers, project = baked
    workflow = load_workflow(project)
    expected = SERVICES.get(session_backend(answers))
    services = {
        name: job.get("services", {})
        for name, job in workflow["jobs"].items()
        if job.get("services")
    }
    text = (project / CI_WORKFLOW).read_text(encoding="utf-8")
    if expected is None:
        assert services == {}
    else:
        service, variable = expected
        assert {name: set(found) for name, found in services.items()} == {"tests": {service}}
        assert set(workflow["jobs"]["tests"]["env"]) == {variable}
    for other_service, other_variable in SERVICES.values():
        if expected is None or other_service != expected[0]:
            assert other_service not in text and other_variable not in text


def test_ci_tests_against_the_image_compose_runs(baked: tuple[dict[str, Any], Path]) -> None:
    """The store CI tests against is the one `docker compose up` deploys, same image tag."""
    answers, project = baked
    expected = SERVICES.get(session_backend(answers))
    if expected is None:
        return  # no store server: nothing to compare (the test above checks there is none)
    service, _ = expected
    ci_image = load_workflow(project)["jobs"]["tests"]["services"][service]["image"]
    compose = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    assert ci_image == compose["services"][service]["image"]


def readme_commands(project: Path) -> set[str]:
    """Every line of the README's code blocks, without its trailing `# comment`."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", readme, flags=re.M | re.S)
    return {
        re.sub(r"\s+#.*$", "", line).strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip()
    }


def test_ci_runs_the_commands_of_the_readme(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    workflow = load_workflow(project)
    commands = [
        line.strip()
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "run" in step
        for line in step["run"].splitlines()
        if line.strip()
    ]
    assert set(commands) >= {
        'pip install -e ".[dev]"',
        "ruff check .",
        "ruff format --check .",
        "mypy",
        "pytest",
    }
    documented = readme_commands(project)
    assert [command for command in commands if command not in documented] == []
    for command in commands:  # each is one command a shell can split
        assert shlex.split(command)


def test_the_template_workflow_itself_is_yaml() -> None:
    """Dependabot reads the unrendered file to update its actions: the Jinja tags end lines."""
    workflow = yaml.safe_load((PROJECT_TEMPLATE / CI_WORKFLOW).read_text(encoding="utf-8"))
    uses = {
        step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step
    }
    assert {use.partition("@")[0] for use in uses} == {"actions/checkout", "actions/setup-python"}
    for use in uses:  # pinned by major version, which Dependabot moves
        assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", use), use


# --- pre-commit and file hygiene ----------------------------------------------------------


def test_pre_commit_config_is_valid(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    config_path = project / ".pre-commit-config.yaml"
    result = run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config_path)], cwd=project
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    hooks = {hook["id"]: (repo, hook) for repo in config["repos"] for hook in repo["hooks"]}
    assert {
        "trailing-whitespace",
        "end-of-file-fixer",
        "check-yaml",
        "check-toml",
        "check-added-large-files",
        "detect-private-key",
        "ruff-check",
        "ruff-format",
        "mypy",
    } <= set(hooks)
    for repo in config["repos"]:
        if repo["repo"] != "local":
            assert re.fullmatch(r"v\d+\.\d+\.\d+", repo["rev"]), repo
    mypy_repo, mypy_hook = hooks["mypy"]
    assert mypy_repo["repo"] == "local"
    assert (mypy_hook["entry"], mypy_hook["language"]) == ("mypy", "system")
    assert mypy_hook["pass_filenames"] is False  # the whole project, as pyproject.toml says
    assert hooks["ruff-check"][1]["args"] == ["--fix"]


def large_file_exclusion(project: Path) -> re.Pattern[str]:
    """The files the bake's check-added-large-files hook leaves out (its `exclude`)."""
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = next(
        hook
        for repo in config["repos"]
        for hook in repo["hooks"]
        if hook["id"] == "check-added-large-files"
    )
    return re.compile(hook.get("exclude", "(?!)"))


def hygiene_problems(project: Path) -> list[str]:
    """What pre-commit-hooks' basic hooks would change or refuse in the bake's text files."""
    problems = []
    large_allowed = large_file_exclusion(project)
    for path in text_files(project):
        relative = path.relative_to(project).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.stat().st_size > LARGE_FILE_BYTES and not large_allowed.search(relative):
            problems.append(f"{relative}: larger than {LARGE_FILE_BYTES // 1024} KB")
        for number, line in enumerate(text.split("\n"), start=1):
            if line != line.rstrip():
                problems.append(f"{relative}:{number}: trailing whitespace")
        if text and (not text.endswith("\n") or text.endswith("\n\n")):
            problems.append(f"{relative}: must end with exactly one newline")
        if "\r" in text:
            problems.append(f"{relative}: carriage return")
        problems += [
            f"{relative}: looks like a private key ({marker})"
            for marker in PRIVATE_KEY_MARKERS
            if marker in text
        ]
        try:
            if path.suffix in (".yml", ".yaml"):
                list(yaml.safe_load_all(text))
            elif path.suffix == ".toml":
                tomllib.loads(text)
        except (yaml.YAMLError, tomllib.TOMLDecodeError) as error:
            problems.append(f"{relative}: does not parse: {error}")
    return problems


def test_text_files_pass_the_hygiene_hooks(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    assert len(text_files(project)) > 40
    assert hygiene_problems(project) == []


# --- dependencies: _requirements/ and Dependabot ------------------------------------------


def requirement_specs(path: Path) -> list[str]:
    """The requirements in a requirement file, without comments."""
    lines = (line.partition(" #")[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def chosen_requirement_files(answers: dict[str, Any]) -> list[str]:
    """The requirement files a bake with `answers` keeps: every bake's two, and those of
    the variants `_variants/variants.toml` chooses for the answers."""
    defaults = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    full = {
        key: value[0] if isinstance(value, list) else value
        for key, value in defaults.items()
        if not key.startswith("_")
    }
    full.update(answers)
    full["session_backend"] = session_backend(answers)
    for key, rule in defaults.items():  # the derived answers, by cookiecutter.json's rules
        if key.startswith("__") and isinstance(rule, str):
            full[key] = jinja2.Template(rule).render(cookiecutter=full)
    manifest = tomllib.loads(VARIANTS_MANIFEST.read_text(encoding="utf-8"))
    files = ["requirements.txt", "requirements-dev.txt"]
    for table in manifest.values():
        if all(full[key] in values for key, values in table["when"].items()):
            files += table.get("requirements", [])
    return files


def test_every_requirement_file_belongs_to_a_variant() -> None:
    manifest = tomllib.loads(VARIANTS_MANIFEST.read_text(encoding="utf-8"))
    named = {name for table in manifest.values() for name in table.get("requirements", [])}
    present = {path.name for path in REQUIREMENTS_DIR.glob("*.txt")}
    assert present - {"requirements.txt", "requirements-dev.txt"} == named
    assert not [p for p in REQUIREMENTS_DIR.rglob("*") if p.is_dir()], "one flat folder"


def test_requirement_files_are_exactly_what_each_bake_declares(
    baked: tuple[dict[str, Any], Path],
) -> None:
    answers, project = baked
    files = [Path(name) for name in chosen_requirement_files(answers)]
    dev_files = [Path("requirements-dev.txt")] + [
        relative for relative in files if relative.name.startswith("requirements-dev-")
    ]
    dev = [spec for name in dev_files for spec in requirement_specs(REQUIREMENTS_DIR / name)]
    runtime = [
        spec
        for relative in files
        if not relative.name.startswith("requirements-dev")
        for spec in requirement_specs(REQUIREMENTS_DIR / relative)
    ]
    pyproject_text = (project / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = tomllib.loads(pyproject_text)
    declared = pyproject["project"]
    assert sorted(declared["dependencies"]) == sorted(runtime)
    assert declared["optional-dependencies"] == {"dev": dev}
    assert pyproject["dependency-groups"] == {"dev": dev}  # `uv sync` + `uv run pytest`
    names = [canonicalize_name(Requirement(spec).name) for spec in runtime + dev]
    assert len(names) == len(set(names)), names
    for relative in files:  # the comments explaining pins come along
        for line in (REQUIREMENTS_DIR / relative).read_text("utf-8").splitlines():
            if " #" in line:
                assert f"  #{line.partition(' #')[2]}\n" in pyproject_text, line
    assert not (project / "_requirements").exists()


def dependabot_directories(ecosystem: str) -> set[str]:
    config = yaml.safe_load(DEPENDABOT_CONFIG.read_text(encoding="utf-8"))
    entries = [entry for entry in config["updates"] if entry["package-ecosystem"] == ecosystem]
    return {
        directory
        for entry in entries
        for directory in entry.get("directories", [entry.get("directory")])
    }


def template_folders(pattern: str) -> set[str]:
    return {
        "/" + path.parent.relative_to(TEMPLATE_ROOT).as_posix()
        for path in PROJECT_TEMPLATE.rglob(pattern)
        if "__pycache__" not in path.parts
    }


def test_dependabot_config_is_valid() -> None:
    result = run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.dependabot",
            str(DEPENDABOT_CONFIG),
        ],
        cwd=TEMPLATE_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "ecosystem, pattern",
    [
        ("pip", "_requirements/**/*.txt"),
        ("pip", "_variants/lock-*/requirements-lock.txt"),
        ("github-actions", ".github/workflows/*.yml"),
        ("pre-commit", ".pre-commit-config.yaml"),
        ("docker", "Dockerfile"),
        ("docker-compose", "compose.yaml"),
    ],
)
def test_dependabot_watches_every_folder_with_versions(ecosystem: str, pattern: str) -> None:
    """Dependabot only reads the folders it is given (and, for pip, their direct subfolders)."""
    folders = template_folders(pattern)
    if pattern.startswith("_requirements"):
        assert folders == {"/{{cookiecutter.project_slug}}/_requirements"}
    if pattern.startswith("_variants/lock-"):
        assert len(folders) == 3 * 4, folders  # one lock per framework x session backend
    watched = dependabot_directories(ecosystem)
    assert watched >= folders if ecosystem == "pip" else watched == folders
    if ecosystem == "pip":  # and nothing else
        locks = template_folders("_variants/lock-*/requirements-lock.txt")
        assert watched == template_folders("_requirements/**/*.txt") | locks


def test_every_requirement_file_is_jinja_free_and_parses() -> None:
    """Dependabot reads them unrendered; the hook writes each spec as a TOML string."""
    files = sorted(REQUIREMENTS_DIR.rglob("*.txt"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not any(marker in text for marker in ("{{", "{%", "{#")), path
        for spec in requirement_specs(path):
            Requirement(spec)
            assert '"' not in spec and "\\" not in spec, spec


# --- the hook's write_dependencies --------------------------------------------------------


def load_post_hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "hook_post_gen_project_tooling", TEMPLATE_ROOT / "hooks" / "post_gen_project.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


post = load_post_hook()

CHOSEN = ["requirements-flask.txt", "requirements-flask-session.txt"]
PYPROJECT = """[project]
name = "x"
dependencies = [
    # <_requirements: runtime>
]

[project.optional-dependencies]
dev = [
    # <_requirements: dev>
]

[dependency-groups]
dev = [
    # <_requirements: dev group>
]
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "project"
    (root / "_requirements").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    files = {
        "requirements.txt": 'logto==0.2.1  # exact: see "why"\n\nclick>=8.1\n',
        "requirements-flask.txt": "# the web framework\nflask>=3.1,<4\n",
        "requirements-flask-session.txt": "flask-session>=0.8,<0.9\n",
        "requirements-dev.txt": "pytest>=8\n",
        "README.md": "not a requirement file\n",
    }
    for name, text in files.items():
        (root / "_requirements" / name).write_text(text, encoding="utf-8")
    yield root


def test_write_dependencies_fills_pyproject_and_removes_the_folder(project: Path) -> None:
    assert post.write_dependencies(project, CHOSEN) is True
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert (
        text
        == """[project]
name = "x"
dependencies = [
    "logto==0.2.1",  # exact: see "why"
    "click>=8.1",
    # the web framework
    "flask>=3.1,<4",
    "flask-session>=0.8,<0.9",
]

[project.optional-dependencies]
dev = [
    "pytest>=8",
]

[dependency-groups]
dev = [
    "pytest>=8",
]
"""
    )
    assert tomllib.loads(text)["project"]["dependencies"][0] == "logto==0.2.1"
    assert not (project / "_requirements").exists()


def test_write_dependencies_is_idempotent_and_byte_stable(project: Path, tmp_path: Path) -> None:
    twin = shutil.copytree(project, tmp_path / "twin")
    post.write_dependencies(project, CHOSEN)
    post.write_dependencies(twin, CHOSEN)
    written = (project / "pyproject.toml").read_bytes()
    assert written == (twin / "pyproject.toml").read_bytes()
    assert post.write_dependencies(project, CHOSEN) is False  # a generated project: nothing to do
    assert (project / "pyproject.toml").read_bytes() == written


def test_write_dependencies_keeps_windows_line_endings(project: Path) -> None:
    (project / "pyproject.toml").write_bytes(PYPROJECT.replace("\n", "\r\n").encode())
    post.write_dependencies(project, CHOSEN)
    written = (project / "pyproject.toml").read_bytes()
    assert b'    "click>=8.1",\r\n' in written
    assert b"\n" not in written.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    "line, where",
    [
        ("-r other.txt", "_requirements/requirements.txt:1"),
        ("--index-url https://example.org", "_requirements/requirements.txt:1"),
        ("pkg @ https://example.org/p.whl#sha256=0", "_requirements/requirements.txt:1"),
        ("bad\x1bname", "_requirements/requirements.txt:1"),
    ],
)
def test_write_dependencies_refuses_what_it_cannot_write(
    project: Path, line: str, where: str
) -> None:
    (project / "_requirements" / "requirements.txt").write_text(line + "\n", encoding="utf-8")
    before = (project / "pyproject.toml").read_bytes()
    with pytest.raises(post.HookError) as caught:
        post.write_dependencies(project, CHOSEN)
    message = caught.value.line()
    assert message.startswith(f"error: {where}: cannot use ")
    assert "\n" not in message and " — " in message
    assert (project / "pyproject.toml").read_bytes() == before
    assert (project / "_requirements").is_dir()


def test_write_dependencies_needs_each_marker_once(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        PYPROJECT.replace("    # <_requirements: dev>\n", ""), encoding="utf-8"
    )
    with pytest.raises(post.HookError, match="has 0 lines reading '# <_requirements: dev>'"):
        post.write_dependencies(project, CHOSEN)


@pytest.mark.parametrize("missing", ["requirements.txt", "requirements-dev.txt"])
def test_write_dependencies_needs_the_base_and_dev_files(project: Path, missing: str) -> None:
    (project / "_requirements" / missing).unlink()
    with pytest.raises(post.HookError, match=f"{missing} is missing"):
        post.write_dependencies(project, CHOSEN)


def test_write_dependencies_takes_only_the_chosen_files(project: Path) -> None:
    post.write_dependencies(project, ["requirements-flask.txt"])
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert '"flask>=3.1,<4"' in text and "flask-session" not in text


def test_write_dependencies_needs_every_chosen_file(project: Path) -> None:
    with pytest.raises(post.HookError, match=r"requirements-redis\.txt is missing"):
        post.write_dependencies(project, [*CHOSEN, "requirements-redis.txt"])


def test_post_run_reports_a_bad_requirement_in_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".env.example").write_text("SECRET_KEY=\n", encoding="utf-8")
    (project / "_requirements" / "requirements.txt").write_text("-e .\n", encoding="utf-8")
    answers = {"web_framework": "Flask", "session_backend": "cookie"}
    assert post.run(answers, project) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: _requirements/requirements.txt:1: ")


# --- the lock file each bake ships --------------------------------------------------------

LOCK_FILE = "requirements-lock.txt"
LOCK_LINE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)")


def locked_pins(lock: Path) -> dict[str, list[str]]:
    """name -> the versions the lock pins (several where markers split them)."""
    pins: dict[str, list[str]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := LOCK_LINE.match(line):
            pins.setdefault(canonicalize_name(match["name"]), []).append(match["version"])
    return pins


def test_each_bake_ships_a_lock_that_pins_what_it_declares(
    baked: tuple[dict[str, Any], Path],
) -> None:
    """Every runtime dependency pyproject.toml declares is pinned, at a version its specifier
    allows, with hashes (the Dockerfile installs with --require-hashes); extras bring theirs."""
    _, project = baked
    lock = project / LOCK_FILE
    assert lock.is_file(), "no requirements-lock.txt"
    pins = locked_pins(lock)
    declared = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]
    for spec in declared["dependencies"]:
        requirement = Requirement(spec)
        versions = pins.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in {LOCK_FILE}: run tools/refresh_locks.py"
        for version in versions:
            assert requirement.specifier.contains(version, prereleases=True), (spec, version)
    extras = {"pyjwt[crypto]": "cryptography", "psycopg[binary]": "psycopg-binary"}
    for spec in declared["dependencies"]:
        for extra, brings in extras.items():
            if spec.startswith(extra):
                assert brings in pins, f"{spec}: {brings} is not locked"
    text = lock.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    assert f"--require-hashes -r {LOCK_FILE}" in dockerfile


UV_LOCK = "uv.lock"


def uv_command() -> str:
    uv = shutil.which("uv")
    assert uv, "uv is needed to check the bakes' uv.lock: pipx install uv (or pip install uv)"
    return uv


def lock_project_entry(lock: dict[str, Any]) -> dict[str, Any]:
    (entry,) = [p for p in lock["package"] if p.get("source") == {"editable": "."}]
    return entry


def lock_runtime_pins(lock: dict[str, Any]) -> dict[str, list[str]]:
    """name -> the versions uv.lock holds for what the project needs at run time: the
    project's `dependencies` and theirs, extras followed, the dev group and extra left out."""
    packages: dict[str, list[dict[str, Any]]] = {}
    for package in lock["package"]:
        packages.setdefault(package["name"], []).append(package)
    pins: dict[str, set[str]] = {}
    todo = list(lock_project_entry(lock).get("dependencies", []))
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    while todo:
        dependency = todo.pop()
        for package in packages[dependency["name"]]:
            if dependency.get("version", package["version"]) != package["version"]:
                continue
            extras = tuple(dependency.get("extra", []))
            key = (package["name"], package["version"], extras)
            if key in seen:
                continue
            seen.add(key)
            pins.setdefault(package["name"], set()).add(package["version"])
            todo += package.get("dependencies", [])
            for extra in extras:
                todo += package.get("optional-dependencies", {}).get(extra, [])
    return {name: sorted(versions) for name, versions in pins.items()}


def test_each_bake_ships_a_uv_lock_with_the_versions_of_its_requirements_lock(
    baked: tuple[dict[str, Any], Path],
) -> None:
    """uv.lock and requirements-lock.txt come from one resolution (tools/refresh_locks.py):
    every runtime package has the same versions in both, and uv.lock names this project."""
    _, project = baked
    lock = tomllib.loads((project / UV_LOCK).read_text(encoding="utf-8"))
    name = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]["name"]
    assert lock_project_entry(lock)["name"] == name
    pinned = {package: sorted(v) for package, v in locked_pins(project / LOCK_FILE).items()}
    assert lock_runtime_pins(lock) == pinned, "run python3 tools/refresh_locks.py"
    assert {"mypy", "pytest", "ruff"} <= {p["name"] for p in lock["package"]}, "the dev group"


def test_each_bakes_uv_lock_is_up_to_date_offline(baked: tuple[dict[str, Any], Path]) -> None:
    """`uv lock --check` (what `uv sync --locked` checks first) passes without the network."""
    _, project = baked
    result = run([uv_command(), "lock", "--check", "--offline"], project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bake_with_its_own_name_has_a_lock_for_that_name(cookies_session: Any) -> None:
    """The template's locks name the default project; the hook renames uv.lock's project entry,
    which uv checks against pyproject.toml."""
    answers = {"project_name": "Shop Front", "web_framework": "Quart", "session_backend": "redis"}
    result = cookies_session.bake(extra_context=answers)
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    lock = tomllib.loads((project / UV_LOCK).read_text(encoding="utf-8"))
    assert lock_project_entry(lock)["name"] == "shop-front"
    checked = run([uv_command(), "lock", "--check", "--offline"], project)
    assert checked.returncode == 0, checked.stdout + checked.stderr

"""What a bake is checked for: the supported combinations and the checks every bake gets."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

API_RESOURCE = "https://api.example.com"
#: Every web framework a project can be generated with.
FRAMEWORKS = ["Flask", "Quart", "FastAPI"]
#: Every supported combination of answers; each one is baked and fully checked.
COMBINATIONS: list[dict[str, object]] = (
    [
        {"web_framework": framework, "session_backend": backend}
        for framework in ("Flask", "Quart", "FastAPI")
        for backend in ("cookie", "redis", "sqlalchemy", "filesystem")
    ]
    + [
        {"web_framework": framework, "use_twilio": twilio, "use_patreon": patreon}
        for framework in ("Flask", "Quart")
        for twilio, patreon in ((True, False), (False, True), (True, True))
    ]
    + [{"web_framework": "FastAPI", "use_twilio": True, "use_patreon": True}]
    + [
        # Beyond sign-in: each part on its own, once per framework between them, then all
        # together on the store they share the most code with.
        {"web_framework": "Flask", "api_resource": API_RESOURCE},
        {"web_framework": "Quart", "use_organizations": True},
        {"web_framework": "FastAPI", "use_organizations": True},
        {"web_framework": "FastAPI", "api_resource": API_RESOURCE},
        # Back-channel logout needs a server-side store: each store once, every framework
        # (the store and token code is shared, only the route differs by framework).
        {"web_framework": "Flask", "session_backend": "redis", "use_backchannel_logout": True},
        {"web_framework": "FastAPI", "session_backend": "redis", "use_backchannel_logout": True},
        {"web_framework": "Quart", "session_backend": "sqlalchemy", "use_backchannel_logout": True},
        {
            "web_framework": "Quart",
            "session_backend": "filesystem",
            "api_resource": API_RESOURCE,
            "use_organizations": True,
            "use_backchannel_logout": True,
        },
        {
            "web_framework": "Flask",
            "session_backend": "redis",
            "api_resource": API_RESOURCE,
            "use_organizations": True,
        },
        {
            "web_framework": "FastAPI",
            "session_backend": "sqlalchemy",
            "api_resource": API_RESOURCE,
            "use_organizations": True,
            "use_backchannel_logout": True,
            "use_twilio": True,
            "use_patreon": True,
        },
    ]
)

#: `.env` values each connector adds (placeholders until the user fills them in).
CONNECTOR_VARIABLES = {
    "use_twilio": {
        "TWILIO_ACCOUNT_SID": "your-twilio-account-sid",
        "TWILIO_AUTH_TOKEN": "your-twilio-auth-token",
        "TWILIO_MESSAGING_SERVICE_SID": "your-messaging-service-sid",
    },
    "use_patreon": {
        "PATREON_CLIENT_ID": "your-patreon-client-id",
        "PATREON_CLIENT_SECRET": "your-patreon-client-secret",
        "PATREON_SCOPE": "identity identity[email]",
    },
}
CODE_PLACEHOLDER = "{" * 2 + "code" + "}" * 2

#: The variable each session backend adds to `.env`, with its default.
STORE_VARIABLES = {
    "cookie": {},
    "redis": {"REDIS_URL": "redis://localhost:6379/0"},
    "sqlalchemy": {"DATABASE_URL": "sqlite:///instance/sessions.sqlite3"},
    "filesystem": {"SESSION_DIR": "instance/sessions"},
}

#: Files that legitimately hold Jinja after baking: the app's own runtime page templates and
#: the SMS texts, where Logto replaces the code placeholder.
RUNTIME_TEMPLATES = re.compile(
    r"(^|/)templates/(logto/)?[^/]+\.html$|(^|/)twilio_sms_templates\.json$"
)
JINJA_MARKERS = ("{{", "}}", "{%", "%}", "{#")
#: The bake's answers in cruft's format, whose answers sit under a `"cookiecutter"` key.
RECORDED_ANSWERS = re.compile(r"\.cruft(-answers)?\.json")
WORKFLOWS = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")
GITHUB_EXPRESSION = re.compile(r"\$\{\{ [a-z][\w.-]* \}\}")
BAKED_TEST_TIMEOUT = 600


def combination_id(answers: dict[str, object]) -> str:
    return "-".join(
        "api"
        if key == "api_resource"
        else str(value)
        if not isinstance(value, bool)
        else key.removeprefix("use_")
        for key, value in answers.items()
        if value is not False and value != ""
    )


def text_files(project: Path) -> list[Path]:
    files = []
    for path in sorted(project.rglob("*")):
        if path.is_file():
            try:
                path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            files.append(path)
    return files


def leftover_jinja(project: Path) -> list[str]:
    """`file: marker` for every template tag that survived rendering where none may."""
    problems = []
    for path in text_files(project):
        relative = path.relative_to(project).as_posix()
        text = path.read_text(encoding="utf-8")
        if "cookiecutter" in text and not RECORDED_ANSWERS.fullmatch(relative):
            problems.append(f"{relative}: cookiecutter")
        if RUNTIME_TEMPLATES.search(relative):
            continue
        if WORKFLOWS.search(relative):  # GitHub's own `${{ expression }}` syntax is meant
            text = GITHUB_EXPRESSION.sub("", text)
        problems += [f"{relative}: {marker}" for marker in JINJA_MARKERS if marker in text]
    return problems


def run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def unsatisfied_dependencies(project: Path) -> list[str]:
    """Declared runtime and dev dependencies that this environment does not satisfy."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    declared = pyproject["project"]["dependencies"] + pyproject["project"][
        "optional-dependencies"
    ].get("dev", [])
    problems = []
    for line in declared:
        requirement = Requirement(line)
        try:
            installed = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{line}: not installed")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            problems.append(f"{line}: {installed} installed")
    return problems


def run_baked_tests(project: Path) -> subprocess.CompletedProcess[str]:
    return run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        timeout=BAKED_TEST_TIMEOUT,
    )

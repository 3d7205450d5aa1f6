"""Every bake's containers: `Dockerfile`, `compose.yaml` and `.dockerignore`.

What runs where, honestly: Docker's engine cannot pull images here and its compose plugin may
be missing. So every run validates each bake's `compose.yaml` against the Compose
specification's JSON schema (vendored by check-jsonschema) and checks what it references; the
Dockerfile's `CMD` and `HEALTHCHECK` are run as plain processes against the baked app (no
container); `docker compose config` has its own test, skipped with the reason when the plugin is
absent; and the image build is the `container`-marked test, run only with `-m container`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from dotenv import dotenv_values

from local_extensions import server_port
from tests.bakes import COMBINATIONS, combination_id, run
from tests.conftest import TEMPLATE_ROOT
from tests.support.baked_app import PRODUCTION_LINE
from tests.support.processes import free_port, running_process
from tests.support.stores import running_store

#: Framework x session backend: what changes the image and the compose file (connectors do not).
SERVED = [
    answers for answers in COMBINATIONS if set(answers) == {"web_framework", "session_backend"}
]
#: The compose service that holds each backend's sessions, if any.
STORE_SERVICE = {"cookie": None, "redis": "redis", "sqlalchemy": "postgres", "filesystem": None}
LOGTO_SERVICES = {"logto", "logto-db", "logto-localhost"}
LOCAL_LOGTO_ENDPOINT = "http://localhost:3001"
LOCAL_LOGTO_ADMIN = "http://localhost:3002"
DOCUMENTED_BIND = "0.0.0.0:3000"  # the default app_base_url's port
COMPOSE_SCHEMA = "vendor.compose-spec"  # check-jsonschema's copy of the Compose spec's schema
PACKAGE = "logto_web_app"
TEMPLATE_PROJECT = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"

_bakes: dict[str, Path] = {}


def bake(cookies_session: Any, answers: dict[str, Any]) -> Path:
    """One bake per combination per test process, shared by this module's fixtures."""
    key = combination_id(answers)
    if key not in _bakes:
        result = cookies_session.bake(extra_context=answers)
        assert result.exit_code == 0, result.exception
        _bakes[key] = Path(result.project_path)
    return _bakes[key]


@pytest.fixture(scope="module", params=COMBINATIONS, ids=combination_id)
def baked(request: pytest.FixtureRequest, cookies_session: Any) -> tuple[dict[str, Any], Path]:
    return request.param, bake(cookies_session, request.param)


def backend_of(answers: dict[str, Any]) -> str:
    return str(answers.get("session_backend", "cookie"))


# --- reading the files ----------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1].strip() + " "
            continue
        keyword, _, rest = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, each starting with its FROM."""
    result: list[list[tuple[str, str]]] = []
    for instruction in instructions:
        if instruction[0] == "FROM":
            result.append([])
        assert result, "the Dockerfile must start with FROM"
        result[-1].append(instruction)
    return result


def dockerfile(project: Path) -> list[tuple[str, str]]:
    return dockerfile_instructions((project / "Dockerfile").read_text(encoding="utf-8"))


def exec_form(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(item, str) for item in value), arguments
    return value


def healthcheck_command(instructions: list[tuple[str, str]]) -> list[str]:
    """The final stage's HEALTHCHECK command (exec form)."""
    checks = [args for keyword, args in stages(instructions)[-1] if keyword == "HEALTHCHECK"]
    assert len(checks) == 1, "the final stage needs exactly one HEALTHCHECK"
    _options, separator, command = checks[0].partition(" CMD ")
    assert separator, f"HEALTHCHECK without CMD: {checks[0]}"
    return exec_form(command)


def final_command(instructions: list[tuple[str, str]]) -> list[str]:
    commands = [args for keyword, args in stages(instructions)[-1] if keyword == "CMD"]
    assert len(commands) == 1, "the final stage needs exactly one CMD"
    return exec_form(commands[0])


def final_env(instructions: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in stages(instructions)[-1]:
        if keyword == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(args))  # type: ignore[misc]
    return env


def readme_production_command(project: Path) -> list[str]:
    match = PRODUCTION_LINE.search((project / "README.md").read_text(encoding="utf-8"))
    assert match, "the README documents no gunicorn command"
    return shlex.split(match.group(0))


def compose(project: Path) -> dict[str, Any]:
    data = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def profiles(service: dict[str, Any]) -> list[str]:
    return list(service.get("profiles", []))


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the KEY=value list form
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def named_volume_mounts(service: dict[str, Any]) -> dict[str, str]:
    """{volume name: target} of a service's named-volume mounts (short syntax)."""
    mounts = {}
    for mount in service.get("volumes", []):
        source, target = str(mount).split(":")[:2]
        if not source.startswith((".", "/", "~")):
            mounts[source] = target
    return mounts


def check_compose_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", COMPOSE_SCHEMA, path.name],
        cwd=path.parent,
    )


# --- compose.yaml -----------------------------------------------------------------------------


def test_compose_matches_the_compose_spec(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    result = check_compose_schema(project / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "version" not in compose(project), "the Compose spec dropped the version key"


def test_the_schema_check_rejects_a_broken_compose_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  app:\n    build: .\n    ports: 3000\n    restrat: always\n")
    result = check_compose_schema(broken)
    assert result.returncode != 0, result.stdout


def test_compose_has_only_the_chosen_services(baked: tuple[dict[str, Any], Path]) -> None:
    answers, project = baked
    services = compose(project)["services"]
    store = STORE_SERVICE[backend_of(answers)]
    always = {name for name, service in services.items() if not profiles(service)}
    assert always == {"app"} | ({store} if store else set())
    optional = {name: profiles(service) for name, service in services.items() if name not in always}
    assert optional == {name: ["logto"] for name in LOGTO_SERVICES}


def test_compose_runs_the_image_built_here_with_env_from_dotenv(
    baked: tuple[dict[str, Any], Path],
) -> None:
    _, project = baked
    app = compose(project)["services"]["app"]
    assert app["build"] == "."
    assert app["env_file"] == ".env"
    assert app["ports"] == ["127.0.0.1:3000:3000"]  # APP_BASE_URL's default port, loopback only
    assert dotenv_values(project / ".env")["APP_BASE_URL"] == "http://localhost:3000"
    assert app["healthcheck"]["test"] == ["CMD", *healthcheck_command(dockerfile(project))]


def test_compose_waits_for_healthy_stores(baked: tuple[dict[str, Any], Path]) -> None:
    answers, project = baked
    services = compose(project)["services"]
    store = STORE_SERVICE[backend_of(answers)]
    depends_on = services["app"].get("depends_on", {})
    assert set(depends_on) == ({store} if store else set())
    for name, condition in depends_on.items():
        assert condition == {"condition": "service_healthy"}
        test = services[name]["healthcheck"]["test"]
        assert test[:2] == (["CMD", "redis-cli"] if name == "redis" else ["CMD", "pg_isready"])
    for name in (store, "logto-db"):
        if name:
            image = services[name]["image"]
            assert re.fullmatch(r"(redis|postgres):\d+(\.\d+)*-alpine", image), image
            assert set(named_volume_mounts(services[name]).values()) <= {
                "/data",
                "/var/lib/postgresql/data",
            }


def test_compose_volumes_are_declared_and_used(baked: tuple[dict[str, Any], Path]) -> None:
    answers, project = baked
    data = compose(project)
    used = {name for service in data["services"].values() for name in named_volume_mounts(service)}
    assert used == set(data.get("volumes", {}))
    app_volumes = named_volume_mounts(data["services"]["app"])
    backend = backend_of(answers)
    assert bool(app_volumes) == (backend == "filesystem"), app_volumes


SETTINGS_PROBE = """
import json, sys
from logto_kit.settings import load_settings
settings = load_settings(environ=json.loads(sys.argv[1]), dotenv_path=None)
names = ("logto_endpoint", "redis_url", "database_url", "session_dir")  # the store's, if any
print(json.dumps({{name: str(getattr(settings, name, "")) or None for name in names}}))
"""


@pytest.mark.parametrize("answers", SERVED, ids=combination_id)
def test_compose_environment_is_what_the_app_accepts(
    answers: dict[str, Any], cookies_session: Any
) -> None:
    """The app's own settings code reads `.env` plus compose's overrides (and the local Logto
    endpoint) as the container would, and each store URL names the service that holds it."""
    project = bake(cookies_session, answers)
    data = compose(project)
    services = data["services"]
    app = services["app"]
    values = {key: value or "" for key, value in dotenv_values(project / ".env").items()}
    values |= {"LOGTO_APP_ID": "app-id-from-console", "LOGTO_APP_SECRET": "secret-from-console"}
    values |= {"LOGTO_ENDPOINT": LOCAL_LOGTO_ENDPOINT, **environment(app)}
    probe = run(
        [sys.executable, "-c", SETTINGS_PROBE.format(package=PACKAGE), json.dumps(values)],
        cwd=project,
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    settings = json.loads(probe.stdout)
    assert settings["logto_endpoint"] == LOCAL_LOGTO_ENDPOINT
    backend = backend_of(answers)
    if backend == "redis":
        assert re.fullmatch(r"redis://redis:6379/\d+", settings["redis_url"])
    elif backend == "sqlalchemy":
        postgres = environment(services["postgres"])
        expected = (
            "postgresql+psycopg://{POSTGRES_USER}:{POSTGRES_PASSWORD}@postgres:5432/{POSTGRES_DB}"
        )
        assert settings["database_url"] == expected.format(**postgres)
    elif backend == "filesystem":
        session_dir = Path(settings["session_dir"])
        targets = [Path(target) for target in named_volume_mounts(app).values()]
        assert any(session_dir.is_relative_to(target) for target in targets), (session_dir, targets)
    else:  # the signed cookie: no setting names a store
        stores = ("redis_url", "database_url", "session_dir")
        assert [settings[name] for name in stores] == [None] * 3


def test_local_logto_profile(baked: tuple[dict[str, Any], Path]) -> None:
    """Logto's issuer is ENDPOINT/oidc: the browser (published port) and the app (through the
    forwarder in its network namespace) both reach it at the same http://localhost:3001."""
    _, project = baked
    services = compose(project)["services"]
    logto = services["logto"]
    assert re.fullmatch(r"svhd/logto:\d+\.\d+\.\d+", logto["image"]), logto["image"]
    env = environment(logto)
    assert env["ENDPOINT"] == LOCAL_LOGTO_ENDPOINT
    assert env["ADMIN_ENDPOINT"] == LOCAL_LOGTO_ADMIN
    assert logto["ports"] == ["127.0.0.1:3001:3001", "127.0.0.1:3002:3002"]
    assert logto["depends_on"] == {"logto-db": {"condition": "service_healthy"}}
    assert "db seed -- --swe" in " ".join(logto["entrypoint"])
    assert "/api/status" in " ".join(logto["healthcheck"]["test"])
    database = environment(services["logto-db"])
    assert env["DB_URL"] == (
        f"postgres://{database['POSTGRES_USER']}:{database['POSTGRES_PASSWORD']}@logto-db:5432/logto"
    )
    forwarder = services["logto-localhost"]
    assert forwarder["network_mode"] == "service:app"
    assert forwarder["depends_on"] == {"app": {"condition": "service_started", "restart": True}}
    assert forwarder["command"] == ["TCP-LISTEN:3001,fork,reuseaddr", "TCP:logto:3001"]
    assert re.fullmatch(r"alpine/socat:\d+(\.\d+)+", forwarder["image"]), forwarder["image"]


def test_readme_explains_docker_and_the_local_logto(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Deploy with Docker", 1)[1].split("\n## ", 1)[0]
    for needle in (
        "docker build",
        "--env-file .env",
        "docker compose up",
        "--profile logto",
        f"LOGTO_ENDPOINT={LOCAL_LOGTO_ENDPOINT}",
        LOCAL_LOGTO_ADMIN,
        "/oidc",
        "http://localhost:3000/callback",
    ):
        assert needle in section, needle


# --- Dockerfile and .dockerignore -------------------------------------------------------------


def test_dockerfile_builds_with_uv_in_stages_and_runs_as_a_user(
    baked: tuple[dict[str, Any], Path],
) -> None:
    _, project = baked
    instructions = dockerfile(project)
    uv, build, runtime = stages(instructions)
    assert re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+ AS uv", uv[0][1]), uv[0]
    assert ("COPY", "--from=uv /uv /bin/uv") in build
    images = [args.split()[0] for keyword, args in (build[0], runtime[0])]
    assert images[0] == images[1] and re.fullmatch(r"python:3\.1[23]-slim-\w+", images[0]), images
    assert build[0][1].endswith(" AS build")
    runs = " ".join(args for keyword, args in build if keyword == "RUN")
    assert "uv pip install --require-hashes -r requirements-lock.txt" in runs  # as locked
    assert "uv pip install --no-deps --editable ." in runs
    env = final_env(instructions)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1" and env["PYTHONUNBUFFERED"] == "1"
    assert env["PATH"].startswith("/opt/venv/bin:")
    copies = [args for keyword, args in runtime if keyword == "COPY"]
    assert copies == ["--from=build /opt/venv /opt/venv", "--from=build /app /app"]
    keywords = [keyword for keyword, _ in runtime]
    users = [args for keyword, args in runtime if keyword == "USER"]
    assert len(users) == 1 and users[0] not in ("root", "0"), users
    assert keywords.index("USER") < keywords.index("HEALTHCHECK") < keywords.index("CMD")
    # instance/ (SQLite file, session files, their lock files) is the user's to write.
    runs = " ".join(args for keyword, args in runtime if keyword == "RUN")
    assert f"chown {users[0]}:{users[0]} /app/instance" in runs
    assert ("WORKDIR", "/app") in build and ("WORKDIR", "/app") in runtime
    assert ("EXPOSE", "3000") in runtime


def test_dockerfile_copies_only_what_exists_and_no_secrets(
    baked: tuple[dict[str, Any], Path],
) -> None:
    _, project = baked
    patterns = dockerignore_patterns(project)
    for keyword, args in dockerfile(project):
        if keyword != "COPY" or args.startswith("--from="):
            continue
        *sources, _destination = args.split()
        for source in sources:
            assert source not in (".", "./", ".env"), f"COPY {args} would take .env along"
            assert (project / source).exists(), source
            assert not dockerignored(source.rstrip("/"), patterns), source


def test_dockerfile_cmd_is_the_readmes_production_command(
    baked: tuple[dict[str, Any], Path],
) -> None:
    answers, project = baked
    command = final_command(dockerfile(project))
    assert command == readme_production_command(project)
    assert command[:3] == ["gunicorn", "-c", "python:logto_kit.web.gunicorn_conf"]
    asgi_workers = ["--worker-class", "uvicorn_worker.UvicornWorker"]
    assert (answers["web_framework"] in ("Quart", "FastAPI")) is (command[3:5] == asgi_workers)
    assert command[command.index("--bind") + 1] == DOCUMENTED_BIND
    workers = int(command[command.index("--workers") + 1])
    if answers.get("session_backend", "cookie") == "cookie":  # the default
        # Cookie sessions coordinate token renewals within one process only: one worker,
        # Flask's with threads (gthread) so it serves requests concurrently.
        assert workers == 1, command
        if answers["web_framework"] == "Flask":
            assert command[3:5] == ["--worker-class", "gthread"], command
            assert int(command[command.index("--threads") + 1]) >= 2, command
    else:  # server-side stores coordinate renewals across processes
        assert workers >= 2, command
        assert "--threads" not in command, command


def test_healthcheck_probes_healthz_with_python(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    check = healthcheck_command(dockerfile(project))
    assert check[:2] == ["python", "-c"], "slim images have no curl: the check uses Python"
    assert "urllib.request" in check[2] and "http://127.0.0.1:3000/healthz" in check[2]
    options = dict(re.findall(r"--([a-z-]+)=(\S+)", healthcheck_options(project)))
    assert set(options) == {"interval", "timeout", "start-period", "retries"}, options


def healthcheck_options(project: Path) -> str:
    (args,) = [args for keyword, args in dockerfile(project) if keyword == "HEALTHCHECK"]
    return args.partition(" CMD ")[0]


def dockerignore_patterns(project: Path) -> list[str]:
    lines = (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore matching: `*` and `?` within a path segment, `**` across them."""
    out, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out, index = out + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            out, index = out + ".*", index + 2
        elif pattern[index] == "*":
            out, index = out + "[^/]*", index + 1
        elif pattern[index] == "?":
            out, index = out + "[^/]", index + 1
        elif pattern[index] == "[":
            end = pattern.index("]", index)
            out, index = out + pattern[index : end + 1], end + 1
        else:
            out, index = out + re.escape(pattern[index]), index + 1
    return re.compile(out)


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether `path` (relative, `/`-separated) is left out of the build context: the last
    matching pattern wins, and a pattern matching a parent directory matches its files."""
    parents = ["/".join(path.split("/")[:end]) for end in range(1, path.count("/") + 2)]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = _pattern_regex(pattern.removeprefix("!").strip("/"))
        if any(regex.fullmatch(parent) for parent in parents):
            ignored = not negated
    return ignored


def test_dockerignore_keeps_secrets_and_local_state_out(
    baked: tuple[dict[str, Any], Path],
) -> None:
    _, project = baked
    patterns = dockerignore_patterns(project)
    for path in (
        ".env",
        ".env.local",
        ".git/config",
        ".venv/bin/python",
        f"{PACKAGE}/__pycache__/app.cpython-313.pyc",
        "tests/__pycache__/conftest.cpython-313.pyc",
        ".pytest_cache/README.md",
        ".mypy_cache/3.13/cache.db",
        ".ruff_cache/CACHEDIR.TAG",
        "instance/sessions.sqlite3",
        "instance/sessions/0123",
    ):
        assert dockerignored(path, patterns), path
    for path in ("pyproject.toml", "README.md", ".env.example", f"{PACKAGE}/app.py"):
        assert not dockerignored(path, patterns), path


def test_dockerignore_matcher_follows_docker_rules() -> None:
    patterns = ["**/__pycache__", ".env", ".env.*", "!.env.example", "build"]
    assert dockerignored("a/b/__pycache__/x.pyc", patterns)
    assert dockerignored(".env.production", patterns)
    assert not dockerignored(".env.example", patterns)
    assert dockerignored("build/lib/x.py", patterns)
    assert not dockerignored("src/build/x.py", patterns)  # no leading **/: the root one only


# --- the image's command, run for real (outside Docker) -----------------------------------------


def healthcheck_on(check: list[str], port: int) -> subprocess.CompletedProcess[str]:
    """The HEALTHCHECK command as the image runs it, with this Python and the test's port."""
    code = check[2].replace("127.0.0.1:3000/", f"127.0.0.1:{port}/")
    return subprocess.run(
        [sys.executable, *check[1:2], code], capture_output=True, text=True, timeout=15
    )


@pytest.mark.parametrize("answers", SERVED, ids=combination_id)
def test_the_image_command_serves_and_passes_its_healthcheck(
    answers: dict[str, Any], cookies_session: Any, tmp_path: Path
) -> None:
    """Starts the Dockerfile's CMD (bound to 127.0.0.1 instead of the container's 0.0.0.0)
    with the image's ENV, and runs the HEALTHCHECK command against it: it must pass while the
    server runs and fail once it is stopped."""
    project = bake(cookies_session, answers)
    instructions = dockerfile(project)
    command, check = final_command(instructions), healthcheck_command(instructions)
    port = free_port()
    command[command.index(DOCUMENTED_BIND)] = f"127.0.0.1:{port}"
    env = dict(os.environ)
    env |= {key: value for key, value in final_env(instructions).items() if key == key.upper()}
    env.pop("VIRTUAL_ENV")  # the image's venv is this interpreter's environment here
    env |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "XDG_RUNTIME_DIR": str(tmp_path),  # gunicorn's control socket, one per test
        "LOGTO_ENDPOINT": f"http://127.0.0.1:{free_port()}",  # down: the app starts anyway
        "LOGTO_APP_ID": "app-id-from-console",
        "LOGTO_APP_SECRET": "secret-from-console",
    }
    with running_store(backend_of(answers), tmp_path) as store_env:
        env |= store_env
        with running_process(
            command,
            cwd=project,
            env=env,
            log_path=tmp_path / "server.log",
            ready_url=f"http://127.0.0.1:{port}/healthz",
        ):
            healthy = healthcheck_on(check, port)
            assert healthy.returncode == 0, healthy.stderr
    stopped = healthcheck_on(check, port)
    assert stopped.returncode != 0, "the health check passed with no server running"


# --- the template's variants stay in step ---------------------------------------------------


def test_compose_variants_share_the_app_and_the_local_logto() -> None:
    """One compose file per session backend, YAML before rendering (Dependabot reads them):
    their only Jinja is the app's port. What they share is identical."""
    variants = {
        path.parent.name: path.read_text(encoding="utf-8")
        for path in sorted((TEMPLATE_PROJECT / "_variants").glob("*/compose.yaml"))
    }
    assert set(variants) == set(STORE_SERVICE)
    for name, text in variants.items():
        rest = text.replace(PORT_EXPRESSION, "")
        assert "{{" not in rest and "{%" not in rest, name
    parsed = {name: yaml.safe_load(text) for name, text in variants.items()}
    shared_app_keys = ("build", "env_file", "ports", "healthcheck", "restart")
    for data in parsed.values():
        reference = parsed["cookie"]
        for key in shared_app_keys:
            assert data["services"]["app"][key] == reference["services"]["app"][key], key
        for service in LOGTO_SERVICES:
            assert data["services"][service] == reference["services"][service], service


# --- the port follows app_base_url ---------------------------------------------------------

PORT_EXPRESSION = "{{ cookiecutter.app_base_url | server_port }}"


@pytest.mark.parametrize(
    ("base_url", "port"),
    [
        ("http://localhost:3000", 3000),
        ("http://localhost:5000", 5000),
        ("http://[::1]:8443", 8443),
        ("https://app.example.com:8443", 8443),
        ("https://app.example.com", 8000),  # behind a reverse proxy
        ("http://127.0.0.1", 8000),
    ],
)
def test_server_port_is_the_urls_port_or_8000(base_url: str, port: int) -> None:
    assert server_port(base_url) == port


@pytest.mark.parametrize(
    ("base_url", "port"), [("http://localhost:5000", 5000), ("https://app.example.com", 8000)]
)
def test_production_port_follows_app_base_url(
    base_url: str, port: int, cookies_session: Any
) -> None:
    """README, Dockerfile and compose.yaml bind, publish and probe the port of `app_base_url`
    (8000 when it names none); the README then says a reverse proxy forwards to it."""
    result = cookies_session.bake(extra_context={"app_base_url": base_url})
    assert result.exit_code == 0, result.exception
    project = Path(result.project_path)
    readme = (project / "README.md").read_text(encoding="utf-8")
    command = readme_production_command(project)
    assert command[command.index("--bind") + 1] == f"0.0.0.0:{port}"
    assert f"docker run --rm -p 127.0.0.1:{port}:{port} --env-file .env" in readme
    assert f"--bind 0.0.0.0:{port} --workers 1 --threads 16" in readme  # cookie: one process
    assert f"the app on http://localhost:{port}" in readme
    proxied = f"listens on {port}: your reverse proxy serves {base_url} and forwards to it"
    assert (proxied in " ".join(readme.split())) == (port == 8000)
    instructions = dockerfile(project)
    assert final_command(instructions) == command
    assert ("EXPOSE", str(port)) in stages(instructions)[-1]
    check = healthcheck_command(instructions)
    assert f"http://127.0.0.1:{port}/healthz" in check[2]
    app = compose(project)["services"]["app"]
    assert app["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert app["healthcheck"]["test"] == ["CMD", *check]
    for name in ("Dockerfile", "compose.yaml"):
        assert "3000" not in (project / name).read_text(encoding="utf-8"), name


# --- Docker itself ----------------------------------------------------------------------------


def docker_compose_problem() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return "docker is not installed"
    result = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=30
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        return f"`docker compose version` failed ({output[0] if output else result.returncode})"
    return None


@pytest.mark.container
def test_docker_compose_config_accepts_every_bake(cookies_session: Any) -> None:
    """Opt-in with the image builds (`-m container`): the offline suite cannot count on
    Docker's compose plugin, and validates every compose.yaml against the Compose spec's
    schema instead (test_compose_matches_the_compose_spec)."""
    problem = docker_compose_problem()
    if problem:
        pytest.fail(
            f"Docker's compose plugin is not available: {problem}; install Docker with its"
            " compose plugin (docker-compose-plugin), or leave out -m container",
            pytrace=False,
        )
    for answers in SERVED:
        project = bake(cookies_session, answers)
        for extra in ([], ["--profile", "logto"]):
            result = run(["docker", "compose", *extra, "config", "--quiet"], cwd=project)
            assert result.returncode == 0, f"{combination_id(answers)} {extra}: {result.stderr}"


def docker_or_fail() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.fail(
            "docker not found: the container tests build real images (install Docker, or"
            " leave out -m container)",
            pytrace=False,
        )
    info = run([docker, "info", "--format", "{{.ServerVersion}}"], cwd=Path.cwd(), timeout=60)
    if info.returncode != 0:
        reason = (info.stderr or info.stdout).strip().splitlines()
        pytest.fail(
            "Docker's engine is not reachable (`docker info` failed: "
            f"{reason[-1] if reason else info.returncode}); the container tests need a"
            " running engine that can pull the base images (python, uv)",
            pytrace=False,
        )
    return docker


HEALTH_FORMAT = "{{.State.Status}} {{.State.Health.Status}}"


def wait_until_healthy(docker: str, container: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    status = "starting"
    while time.monotonic() < deadline:
        state = run(
            [docker, "inspect", "--format", HEALTH_FORMAT, container],
            cwd=Path.cwd(),
        )
        status = state.stdout.strip()
        if status == "running healthy":
            return
        if not status.startswith("running") or status.endswith("unhealthy"):
            break
        time.sleep(1)
    logs = run([docker, "logs", "--tail", "40", container], cwd=Path.cwd())
    pytest.fail(f"container {status!r}, not healthy; its log:\n{logs.stdout}{logs.stderr}")


@pytest.mark.container
@pytest.mark.parametrize("answers", SERVED, ids=combination_id)
def test_image_builds_and_turns_healthy(
    answers: dict[str, Any], cookies_session: Any, tmp_path: Path
) -> None:
    """`docker build` of the bake; then, for the backends that need no server (cookie,
    SQLite, session files), `docker run` until the HEALTHCHECK reports healthy, which also
    shows the non-root user can write instance/."""
    docker = docker_or_fail()
    project = bake(cookies_session, answers)
    tag = f"logto-python-starter-test:{combination_id(answers).lower()}-{uuid.uuid4().hex[:8]}"
    build = run([docker, "build", "--tag", tag, "."], cwd=project, timeout=1800)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    container = None
    try:
        user = run([docker, "image", "inspect", "--format", "{{.Config.User}}", tag], cwd=project)
        assert user.stdout.strip() not in ("", "root", "0"), user.stdout
        if backend_of(answers) == "redis":
            return  # needs a Redis server: compose.yaml's job
        env_file = tmp_path / "container.env"
        values = dict(dotenv_values(project / ".env"))
        values |= {
            "LOGTO_ENDPOINT": "http://127.0.0.1:9",  # nothing there: the app starts anyway
            "LOGTO_APP_ID": "app-id-from-console",
            "LOGTO_APP_SECRET": "secret-from-console",
        }
        env_file.write_text("".join(f"{key}={value or ''}\n" for key, value in values.items()))
        started = run(
            [docker, "run", "--detach", "--env-file", str(env_file), "--health-interval=2s", tag],
            cwd=project,
        )
        assert started.returncode == 0, started.stderr
        container = started.stdout.strip()
        wait_until_healthy(docker, container)
        uid = run([docker, "exec", container, "id", "-u"], cwd=project)
        assert uid.stdout.strip() not in ("", "0"), uid.stdout
    finally:
        if container:
            run([docker, "rm", "--force", container], cwd=project)
        run([docker, "image", "rm", "--force", tag], cwd=project)

"""A generated project takes later template versions with cruft, from the answers and
commit it records in `.cruft.json`; `cookiecutter --replay-file` regenerates it from them.
Offline: the template is a local git repository (a copy of this working tree).

What cruft 2.16 really does, and these tests pin down: `cruft update` renders the project's
template commit and the newest one into throwaway directories (running the post-generation
hook in each: it prints its next steps there, twice), diffs the two renders and applies the
diff to the project with `git apply -3`. The hook never runs in the project, and `.env` (the
only file that differs between two renders: a new random SECRET_KEY) is left out of the diff by
the baked `[tool.cruft] skip = [".env"]`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.bakes import combination_id
from tests.conftest import TEMPLATE_ROOT
from tests.support.owner_edits import make_owner_edits

#: Flask and Quart with a server-side session store each, and the defaults (Flask, cookie).
#: Redis is left out: the app checks its server at start, and the import check runs the app.
COMBINATIONS: list[dict[str, Any]] = [
    {"web_framework": "Flask", "session_backend": "cookie"},
    {"web_framework": "Flask", "session_backend": "sqlalchemy"},
    {"web_framework": "Quart", "session_backend": "filesystem"},
]
PACKAGE = "logto_web_app"
PROJECT = "logto-web-app"
SLUG_DIR = "{{cookiecutter.project_slug}}"
PACKAGE_DIR = "{{cookiecutter.package_name}}"
#: Named like the real repository, so the replay file is `<replay_dir>/logto-python-starter.json`.
TEMPLATE_NAME = "logto-python-starter"
NOT_TEMPLATE = shutil.ignore_patterns(
    ".git",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    ".venv",
    "artifacts",
    ".benchmarks",
)
#: Git without the user's configuration, and only local repositories (no network transport).
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_ALLOW_PROTOCOL": "file",
}
#: What a user writes into `.env` by hand after generating (Logto Console values).
USER_ENV = {
    "LOGTO_ENDPOINT": "https://auth.example.com",
    "LOGTO_APP_ID": "app-id-from-the-console",
    "LOGTO_APP_SECRET": "app-secret-from-the-console",
}
USER_README = "\n## Our deployment\n\nRuns on the team's VM; ask Kim for access.\n"
USER_ROUTE = {
    "Flask": '\n\n@blueprint.get("/team")\ndef team() -> str:\n    return "Our team"\n',
    "Quart": '\n\n@blueprint.get("/team")\nasync def team() -> str:\n    return "Our team"\n',
}
ROUTES_V2_LINE = "# Template revision 2 changed this line of the sign-in routes.\n"
ROUTES = "logto_kit/web/sign_in_routes.py"
ENV_EXAMPLE_V2_FIRST_LINE = "# Settings of this app (template revision 2)."
ENV_EXAMPLE_V2_TAIL = "\n# Added by template revision 2.\nNEW_OPTION=on\n"


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def ok(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = run(args, cwd, env)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def git(cwd: Path, *args: str) -> str:
    return ok(["git", *args], cwd, {**os.environ, **GIT_ENV}).stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def cruft(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "cruft", *args], cwd, env)


def cookiecutter(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return ok([sys.executable, "-m", "cookiecutter", *args], cwd, env)


def answers_args(answers: dict[str, Any]) -> list[str]:
    return [f"{key}={value}" for key, value in answers.items()]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (not `.git/`), by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] != ".git"
    }


def env_lines(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if re.match(r"[A-Z_]+=", line))


def fill_env(project: Path) -> bytes:
    """Put the Logto Console values into `.env` as a user does; return the new bytes."""
    env_file = project / ".env"
    text = env_file.read_text(encoding="utf-8")
    for key, value in USER_ENV.items():
        text, count = re.subn(rf"(?m)^{key}=.*$", f"{key}={value}", text)
        assert count == 1, key
    env_file.write_text(text, encoding="utf-8")
    return env_file.read_bytes()


def edit_like_a_user(project: Path, framework: str) -> None:
    with (project / "README.md").open("a", encoding="utf-8") as readme:
        readme.write(USER_README)
    with (project / PACKAGE / "views.py").open("a", encoding="utf-8") as views:
        views.write(USER_ROUTE[framework])


def release_template_v2(template: Path) -> str:
    """A later template version: a changed line in each framework's sign-in routes and in
    `.env.example`, a new setting, a new file at the top and a new framework-specific module."""
    for framework in ("flask", "quart"):
        kit = template / SLUG_DIR / "_variants" / framework / "logto_kit"
        routes = kit / "web" / "sign_in_routes.py"
        routes.write_text(ROUTES_V2_LINE + routes.read_text(encoding="utf-8"), encoding="utf-8")
        (kit / "web" / "template_revision.py").write_text(
            f'"""The template revision this project is at."""\n\nFRAMEWORK = "{framework}"\n',
            encoding="utf-8",
        )
    example = template / SLUG_DIR / ".env.example"
    first, rest = example.read_text(encoding="utf-8").split("\n", 1)
    assert first.startswith("# "), "the test changes the comment on .env.example's first line"
    example.write_text(
        f"{ENV_EXAMPLE_V2_FIRST_LINE}\n{rest}{ENV_EXAMPLE_V2_TAIL}", encoding="utf-8"
    )
    (template / SLUG_DIR / "CHANGELOG.md").write_text(
        "# {{ cookiecutter.project_name }} changes\n\n- Template revision 2.\n", encoding="utf-8"
    )
    return commit_all(template, "Template revision 2")


@pytest.fixture(scope="module")
def template_v1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working tree (uncommitted changes included) committed into a fresh repository."""
    repo = tmp_path_factory.mktemp("origin") / TEMPLATE_NAME
    shutil.copytree(TEMPLATE_ROOT, repo, ignore=NOT_TEMPLATE)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "Template revision 1")
    return repo


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Subprocess environment: offline git, and a cookiecutter config of the test's own (so
    the user's ~/.cookiecutterrc, ~/.cookiecutters and ~/.cookiecutter_replay stay untouched)."""
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(tmp_path / 'cookiecutters'))}\n"
        f"replay_dir: {json.dumps(str(tmp_path / 'replay'))}\n",
        encoding="utf-8",
    )
    return {**os.environ, **GIT_ENV, "COOKIECUTTER_CONFIG": str(config)}


@pytest.fixture
def template(template_v1: Path, tmp_path: Path) -> Path:
    """This test's own clone of the template, free to take a revision 2."""
    clone = tmp_path / "template" / TEMPLATE_NAME
    clone.parent.mkdir()
    git(clone.parent, "clone", "-q", str(template_v1), TEMPLATE_NAME)
    return clone


def cruft_create(template: Path, answers: dict[str, Any], out: Path, env: dict[str, str]) -> Path:
    out.mkdir(parents=True)
    args = ["create", "--no-input", "--output-dir", str(out), str(template)]
    if answers:
        args[1:1] = ["--extra-context", json.dumps(answers)]
    result = cruft(*args, cwd=out, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    project = out / PROJECT
    # At creation the hook runs in the project itself and writes its .env.
    assert ".env: created from .env.example with a new random SECRET_KEY" in result.stdout
    assert f"{project}/.env" in result.stdout
    return project


def app_check(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Start the app from its own `.env` (nothing from this process's environment)."""
    settings = env_lines((project / ".env").read_text(encoding="utf-8"))
    clean = {key: value for key, value in env.items() if key not in settings}
    code = (
        f"from {PACKAGE} import create_app\n"
        "from logto_kit.web.template_revision import FRAMEWORK\n"
        "rules = {rule.rule for rule in create_app().url_map.iter_rules()}\n"
        "assert {'/team', '/healthz', '/sign-in'} <= rules, rules\n"
        "print(FRAMEWORK)\n"
    )
    return run([sys.executable, "-c", code], project, clean)


# --- cruft update -------------------------------------------------------------------------


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_cruft_update_takes_the_new_template_and_keeps_secrets_and_edits(
    answers: dict[str, Any], template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    framework = answers["web_framework"]
    project = cruft_create(template, answers, tmp_path / "projects", env)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated")
    env_bytes = fill_env(project)  # git-ignored: the work tree stays clean for cruft
    edit_like_a_user(project, framework)
    commit_all(project, "Our deployment notes and a team page")

    new_commit = release_template_v2(template)
    check = cruft("check", cwd=project, env=env)
    assert check.returncode == 1
    assert "out of date" in check.stdout

    update = cruft("update", "-y", cwd=project, env=env)
    assert update.returncode == 0, update.stdout + update.stderr
    assert "Project's cruft has been updated" in update.stdout
    # The hook ran twice (old and new render), in throwaway directories, not in the project.
    assert update.stdout.count("Next steps:") == 2
    assert str(project) not in update.stdout

    # Secrets untouched: .env is byte for byte what the user wrote, still owner-only; the
    # new setting reached .env.example only (the user copies it over when they want it).
    assert (project / ".env").read_bytes() == env_bytes
    assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600
    assert "NEW_OPTION" not in env_lines(env_bytes.decode())

    # The project is exactly a fresh bake of revision 2 plus the user's own edits.
    fresh = tmp_path / "fresh"
    cookiecutter(
        "--no-input", "-o", str(fresh), str(template), *answers_args(answers), cwd=tmp_path, env=env
    )
    expected = snapshot(fresh / PROJECT)
    del expected[".env"]
    expected["README.md"] += USER_README.encode()
    expected[f"{PACKAGE}/views.py"] += USER_ROUTE[framework].encode()
    actual = snapshot(project)
    del actual[".env"]
    assert sorted(actual) == sorted(expected), "no leftovers (.rej, .orig, _variants/)"
    # .cruft.json included: the plain bake's hook recorded exactly what cruft wrote.
    assert {name for name in expected if actual[name] != expected[name]} == set()

    # The template's changes arrived, for the chosen framework only.
    assert (project / ROUTES).read_text(encoding="utf-8").startswith(ROUTES_V2_LINE)
    assert (
        (project / PACKAGE / "views.py").read_text(encoding="utf-8").endswith(USER_ROUTE[framework])
    )
    revision = actual["logto_kit/web/template_revision.py"].decode()
    assert f'FRAMEWORK = "{framework.lower()}"' in revision
    assert actual[".env.example"].decode().startswith(ENV_EXAMPLE_V2_FIRST_LINE)
    assert actual["CHANGELOG.md"].decode().startswith("# Logto Web App changes")

    # git apply -3 staged the template's changes; cruft rewrote .cruft.json; nothing else moved.
    status = git(project, "status", "--porcelain", "--ignored", "--untracked-files=all")
    assert sorted(status.splitlines()) == sorted(
        [
            " M .cruft.json",
            "A  CHANGELOG.md",
            "M  .env.example",
            f"M  {ROUTES}",
            "A  logto_kit/web/template_revision.py",
            "!! .env",
        ]
    )
    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert state["commit"] == new_commit
    assert state["template"] == str(template)
    assert state["context"]["cookiecutter"]["_commit"] == new_commit
    for key, value in answers.items():
        assert state["context"]["cookiecutter"][key] == value

    check = cruft("check", cwd=project, env=env)
    assert check.returncode == 0
    assert "up to date" in check.stdout

    # `cruft diff` compares the project with a render of its template commit: the only
    # differences are the user's own lines (shown as removals: template = "new" side). Its
    # stdout starts with the hook's next steps of that throwaway render.
    diff = cruft("diff", "--exit-code", cwd=project, env=env)
    assert diff.returncode == 1
    hook_text, _, patch = diff.stdout.partition("diff --git ")
    assert "Next steps:" in hook_text
    assert re.findall(r"^\+\+\+ upstream-template-new/(.+)$", patch, re.M) == [
        "README.md",
        f"{PACKAGE}/views.py",
    ]
    removed = [line[1:] for line in patch.splitlines() if line[:1] == "-" and line[:3] != "---"]
    added = [line[1:] for line in patch.splitlines() if line[:1] == "+" and line[:3] != "+++"]
    assert removed == [*USER_README.splitlines(), *USER_ROUTE[framework].splitlines()]
    assert added == []

    # A clean, working project: lint-free, and the app starts from its .env with the user's
    # route and the new module.
    for args in (["check", "."], ["format", "--check", "."]):
        lint = run([sys.executable, "-m", "ruff", *args], project, env)
        assert lint.returncode == 0, lint.stdout + lint.stderr
    started = app_check(project, env)
    assert started.returncode == 0, started.stdout + started.stderr
    assert started.stdout.strip() == framework.lower()

    # Committed, a second update has nothing to do.
    commit_all(project, "Template revision 2")
    again = cruft("update", "-y", cwd=project, env=env)
    assert again.returncode == 0
    assert "Nothing to do" in again.stdout
    assert (project / ".env").read_bytes() == env_bytes


def test_an_edit_on_a_line_the_template_changes_becomes_a_conflict(
    template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """The 3-way merge leaves both versions between markers for the user to pick; cruft still
    exits 0 and says all is well, so `git status` (UU) is where a user sees it."""
    project = cruft_create(template, {}, tmp_path / "projects", env)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated")
    example = project / ".env.example"
    _first, rest = example.read_text(encoding="utf-8").split("\n", 1)
    example.write_text(f"# Our settings.\n{rest}", encoding="utf-8")
    commit_all(project, "Our wording")
    env_bytes = fill_env(project)
    release_template_v2(template)

    update = cruft("update", "-y", cwd=project, env=env)
    assert update.returncode == 0
    assert "Project's cruft has been updated" in update.stdout
    assert "Applied patch to '.env.example' with conflicts." in update.stderr
    merged = example.read_text(encoding="utf-8")
    assert merged.startswith(
        f"<<<<<<< ours\n# Our settings.\n=======\n{ENV_EXAMPLE_V2_FIRST_LINE}\n>>>>>>> theirs\n"
    )
    assert merged.endswith(ENV_EXAMPLE_V2_TAIL), "the rest of the file merged cleanly"
    assert "UU .env.example" in git(project, "status", "--porcelain").splitlines()
    assert (project / "CHANGELOG.md").is_file()
    assert (project / ".env").read_bytes() == env_bytes


#: Where an owner's edit and a template change meet in `home.html` (line numbers of the
#: bake's): the owner's line 4 and the template's line 5 touch; the owner's line 11 and the
#: template's line 13 have one unchanged line between them.
HOME_EDITS = {
    "owner": [
        ("<h1>Hello, <span", "<h1>Welcome back, <span"),  # line 4
        ("<p>You are not signed in.</p>", "<p>Sign in to see your orders.</p>"),  # line 11
    ],
    "template": [
        ("<p>You are signed in with Logto.</p>", "<p>You are signed in (revision 4).</p>"),
        (">Sign in</a>", ">Sign in now</a>"),  # line 13
    ],
}


def edit_home(home: Path, edits: list[tuple[str, str]]) -> None:
    text = home.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    home.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("first_commit", ["as generated", "with the owner's edits"])
def test_where_template_changes_next_to_an_owners_edit_conflict(
    first_commit: str, template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """What docs/updating.md states, measured: with the project committed as generated,
    `git apply -3` merges three-way, and a template change conflicts when it touches a line
    the owner edited or the line next to one; one unchanged line between is enough. Without
    that commit git lacks the generated file to merge from and applies the diff as a patch,
    which needs the 3 lines around each change unedited: both changes land in `.rej`."""
    project = cruft_create(template, {}, tmp_path / "projects", env)
    home = project / PACKAGE / "templates" / "home.html"
    lines = home.read_text(encoding="utf-8").splitlines()
    assert [n for n, line in enumerate(lines, 1) if "Hello, <span" in line] == [4]
    assert [n for n, line in enumerate(lines, 1) if "signed in" in line] == [5, 11]
    assert [n for n, line in enumerate(lines, 1) if ">Sign in</a>" in line] == [13]
    git(project, "init", "-q", "-b", "main")
    if first_commit == "as generated":
        commit_all(project, "Generated")
    edit_home(home, HOME_EDITS["owner"])
    commit_all(project, "Our home page")
    edit_home(template / SLUG_DIR / PACKAGE_DIR / "templates" / "home.html", HOME_EDITS["template"])
    commit_all(template, "Template revision 4: the home page's wording")

    update = cruft("update", "-y", cwd=project, env=env)
    assert update.returncode == 0, update.stdout + update.stderr
    merged = home.read_text(encoding="utf-8")
    if first_commit == "as generated":
        home_path = f"{PACKAGE}/templates/home.html"
        assert f"Applied patch to '{home_path}' with conflicts." in update.stderr
        assert merged.count("<<<<<<< ours") == 1
        ours, theirs = (
            merged.split("<<<<<<< ours\n")[1].split(">>>>>>> theirs")[0].split("=======\n")
        )
        assert "Welcome back" in ours and "revision 4" in theirs  # lines 4 and 5: a conflict
        assert "<p>Sign in to see your orders.</p>" in merged  # lines 11 and 13: both kept
        assert ">Sign in now</a>" in merged and "<<<<<<<" not in merged.split("orders.</p>")[1]
        assert f"UU {PACKAGE}/templates/home.html" in git(project, "status", "--porcelain")
    else:
        assert "lacks the necessary blob" in update.stderr
        rejected = (project / PACKAGE / "templates" / "home.html.rej").read_text("utf-8")
        assert rejected.count("@@ ") == 2, "both template changes were rejected"
        assert "revision 4" in rejected and "Sign in now" in rejected
        assert "revision 4" not in merged and "Sign in now" not in merged


def test_without_the_env_skip_an_update_would_fight_over_the_secret_key(
    template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """Why the baked pyproject has `[tool.cruft] skip = [".env"]`: each throwaway render gets
    its own random SECRET_KEY, so without the skip `.env` is in the diff. The 3-way merge fails
    on it (`.env` is git-ignored), cruft falls back to a plain `git apply --reject`: hunks that
    fit are written into the user's `.env`, the SECRET_KEY hunk is left in `.env.rej` with two
    throwaway keys."""
    project = cruft_create(template, {}, tmp_path / "projects", env)
    pyproject = project / "pyproject.toml"
    text, count = re.subn(r'\[tool\.cruft\]\nskip = \["\.env"\]\n', "", pyproject.read_text())
    assert count == 1
    pyproject.write_text(text, encoding="utf-8")
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated, without the skip")
    env_bytes = fill_env(project)
    release_template_v2(template)

    update = cruft("update", "-y", cwd=project, env=env)
    assert update.returncode == 0
    assert ".env: does not exist in index" in update.stderr
    assert "Rejected hunk" in update.stderr
    rejected = (project / ".env.rej").read_text(encoding="utf-8")
    assert re.search(r"^-SECRET_KEY=\S{64}$", rejected, re.M)
    assert re.search(r"^\+SECRET_KEY=\S{64}$", rejected, re.M)
    patched = (project / ".env").read_text(encoding="utf-8")
    assert patched != env_bytes.decode(), "the update edited the user's secrets file"
    assert patched.startswith(ENV_EXAMPLE_V2_FIRST_LINE)
    users, now = env_lines(env_bytes.decode()), env_lines(patched)
    assert {key: now.get(key) for key in users} == users, "every value is still the user's"
    assert set(now) - set(users) <= {"NEW_OPTION"}  # a hunk away from the key may apply
    assert (project / "CHANGELOG.md").is_file(), "the rest of the update still applied"


# --- cookiecutter --replay ----------------------------------------------------------------


def bake_with_replay(
    template: Path, answers: dict[str, Any], out: Path, env: dict[str, str]
) -> Path:
    cookiecutter(
        "--no-input", "-o", str(out), str(template), *answers_args(answers), cwd=out.parent, env=env
    )
    return out / PROJECT


def replay_file(env: dict[str, str]) -> Path:
    config = Path(env["COOKIECUTTER_CONFIG"])
    return config.parent / "replay" / f"{TEMPLATE_NAME}.json"


def recorded_answers(project: Path, destination: Path) -> Path:
    """docs/updating.md's replay file from the project's `.cruft.json`: the answers, less the
    template's own settings (one leading `_`). The derived `__` answers stay: cookiecutter
    would derive missing ones from the other missing answers only, and fail."""
    answers = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    context = answers["context"]["cookiecutter"]
    own = {k: v for k, v in context.items() if k[0] != "_" or k[:2] == "__"}
    destination.write_text(json.dumps({"cookiecutter": own}), encoding="utf-8")
    return destination


#: A project name with quotes, braces, a backslash sequence and more: data all the way.
HOSTILE_NAME = 'Shop "Ops" {x} }} \\n\\u2028 it\'s 🎉'


def test_a_cookiecutter_bake_takes_updates_from_its_own_recorded_answers(
    template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """Generated with plain cookiecutter, the project holds its answers and the template's
    commit in `.cruft.json` (the hook writes it as `cruft create` does): `cruft diff` and
    `cruft update` work at once, with cookiecutter's replay file gone."""
    answers = {
        "web_framework": "Quart",
        "session_backend": "filesystem",
        "project_name": HOSTILE_NAME,
        "project_slug": PROJECT,
    }
    project = bake_with_replay(template, answers, tmp_path / "projects", env)
    shutil.rmtree(replay_file(env).parent)
    generated_from = git(template, "rev-parse", "HEAD").strip()
    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert (state["template"], state["commit"]) == (str(template), generated_from)
    assert state["context"]["cookiecutter"]["project_name"] == HOSTILE_NAME
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated with cookiecutter")
    # The recorded answers render the project exactly (a wrong answer would show here).
    linked = cruft("diff", "--exit-code", cwd=project, env=env)
    assert linked.returncode == 0, linked.stdout + linked.stderr

    env_bytes = fill_env(project)
    new_commit = release_template_v2(template)
    update = cruft("update", "-y", cwd=project, env=env)
    assert update.returncode == 0, update.stdout + update.stderr
    assert "Project's cruft has been updated" in update.stdout
    assert (
        (project / "CHANGELOG.md")
        .read_text(encoding="utf-8")
        .startswith(f"# {HOSTILE_NAME} changes")
    )
    assert (
        (project / "logto_kit" / "web" / "template_revision.py").read_text().endswith('"quart"\n')
    )
    assert (project / ".env").read_bytes() == env_bytes
    state = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert state["commit"] == new_commit
    assert state["context"]["cookiecutter"]["project_name"] == HOSTILE_NAME


def test_two_bakes_in_a_row_each_keep_their_own_answers(
    template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """cookiecutter's replay file holds the last bake of a template only; each project's
    `.cruft.json` holds its own, whatever is baked next."""
    first_answers = {"web_framework": "Quart", "session_backend": "filesystem"}
    first = bake_with_replay(template, first_answers, tmp_path / "first", env)
    recorded = (first / ".cruft.json").read_bytes()
    second_answers = {"project_name": "Second Shop", "use_twilio": True}
    bake_with_replay(template, second_answers, tmp_path / "second", env)
    second = tmp_path / "second" / "second-shop"

    assert (first / ".cruft.json").read_bytes() == recorded
    for project, answers in ((first, first_answers), (second, second_answers)):
        context = json.loads((project / ".cruft.json").read_text("utf-8"))["context"]
        for key, value in answers.items():
            assert context["cookiecutter"][key] == value
    replayed = json.loads(replay_file(env).read_text(encoding="utf-8"))["cookiecutter"]
    assert replayed["project_name"] == "Second Shop", "the replay file is the last bake's"
    git(first, "init", "-q", "-b", "main")
    commit_all(first, "Generated")
    diff = cruft("diff", "--exit-code", cwd=first, env=env)
    assert diff.returncode == 0, diff.stdout + diff.stderr


def test_a_bake_from_a_template_without_git_is_linked_from_its_recorded_answers(
    template_v1: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """A template that is no git checkout (a zip download, a copied folder) has no commit to
    record: the answers go to `.cruft-answers.json`. Filled in and renamed as the README
    says, it is the project's `.cruft.json`."""
    copy = tmp_path / "download" / TEMPLATE_NAME
    shutil.copytree(template_v1, copy, ignore=shutil.ignore_patterns(".git"))
    answers = {"web_framework": "Flask", "session_backend": "sqlalchemy"}
    project = bake_with_replay(copy, answers, tmp_path / "projects", env)
    assert not (project / ".cruft.json").exists()
    unlinked = project / ".cruft-answers.json"
    state = json.loads(unlinked.read_text(encoding="utf-8"))
    assert state["commit"] == "<the template commit this project was generated from>"

    state["template"] = str(template_v1)
    state["commit"] = git(template_v1, "rev-parse", "HEAD").strip()
    (project / ".cruft.json").write_text(json.dumps(state), encoding="utf-8")
    unlinked.unlink()
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated, linked")
    diff = cruft("diff", "--exit-code", cwd=project, env=env)
    assert diff.returncode == 0, diff.stdout + diff.stderr
    check = cruft("check", cwd=project, env=env)
    assert (check.returncode, "up to date" in check.stdout) == (0, True)


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_replay_regenerates_the_same_project(
    answers: dict[str, Any], template_v1: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """docs/updating.md's regeneration from the project's own recorded answers, after
    another bake of the template has replaced cookiecutter's replay file."""
    first = bake_with_replay(template_v1, answers, tmp_path / "first", env)
    bake_with_replay(template_v1, {"project_slug": "another"}, tmp_path / "another", env)
    replay = recorded_answers(first, tmp_path / "answers.json")

    cookiecutter(
        "--replay-file", str(replay), "-o", str(tmp_path / "second"), str(template_v1),
        cwd=tmp_path, env=env,
    )  # fmt: skip
    second = tmp_path / "second" / PROJECT
    one, two = snapshot(first), snapshot(second)
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == [".env"]
    # .env: a new random SECRET_KEY (a fresh directory has no .env to keep); all else equal.
    env_one, env_two = env_lines(one[".env"].decode()), env_lines(two[".env"].decode())
    assert env_one.pop("SECRET_KEY") != env_two.pop("SECRET_KEY")
    assert env_one == env_two
    strip_key = re.compile(rb"(?m)^SECRET_KEY=.*$")
    assert strip_key.sub(b"", one[".env"]) == strip_key.sub(b"", two[".env"])
    for project in (first, second):
        assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_replay_over_the_existing_project_keeps_env_and_own_files(
    answers: dict[str, Any], template_v1: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """Regenerating in place with `-f` (from the recorded answers): every template file is
    written again (a user's edit to one is replaced, as -f does; `cruft update` is the tool
    that merges), while `.env` and the user's own files stay."""
    project = bake_with_replay(template_v1, answers, tmp_path / "out", env)
    replay = recorded_answers(project, tmp_path / "answers.json")
    env_bytes = fill_env(project)
    edit_like_a_user(project, answers["web_framework"])
    (project / "NOTES.md").write_text("Our own file.\n", encoding="utf-8")

    result = cookiecutter(
        "--replay-file", str(replay), "-f", "-o", str(tmp_path / "out"), str(template_v1),
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert "  .env: " not in result.stdout, "a complete .env is kept without a word"
    assert (project / ".env").read_bytes() == env_bytes
    assert (project / "NOTES.md").read_text(encoding="utf-8") == "Our own file.\n"

    cookiecutter(
        "--replay-file", str(replay), "-o", str(tmp_path / "fresh"), str(template_v1),
        cwd=tmp_path, env=env,
    )  # fmt: skip
    regenerated, fresh = snapshot(project), snapshot(tmp_path / "fresh" / PROJECT)
    for files in (regenerated, fresh):
        del files[".env"]
    del regenerated["NOTES.md"]
    assert sorted(regenerated) == sorted(fresh), "no _variants/ or other leftovers"
    assert [name for name in fresh if regenerated[name] != fresh[name]] == []


# --- the owner's app and the kit's updates ----------------------------------------------------

OWNER_HOME_LINE = '  <p class="team-note">Questions? Write to {{ support_email }}.</p>\n'
OWNER_SETTING = "SUPPORT_EMAIL=help@example.com\n"
OWNER_ROUTES = {
    "Flask": '''"""The team's own routes."""

from flask import Blueprint, Flask, render_template

from logto_kit.settings import PROJECT_ROOT, read_env

blueprint = Blueprint("team", __name__)
SUPPORT_EMAIL = read_env(PROJECT_ROOT / ".env").get("SUPPORT_EMAIL", "")


@blueprint.get("/team")
def team() -> str:
    return render_template("team.html")


def register(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.jinja_env.globals["support_email"] = SUPPORT_EMAIL
''',
    "Quart": '''"""The team's own routes."""

from quart import Blueprint, Quart, render_template

from logto_kit.settings import PROJECT_ROOT, read_env

blueprint = Blueprint("team", __name__)
SUPPORT_EMAIL = read_env(PROJECT_ROOT / ".env").get("SUPPORT_EMAIL", "")


@blueprint.get("/team")
async def team() -> str:
    return await render_template("team.html")


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)
    app.jinja_env.globals["support_email"] = SUPPORT_EMAIL
''',
}
#: The owner's page, in the app's own style (its title, the project's name, from base.html).
OWNER_TEAM_PAGE = """{% extends "base.html" %}
{% block content %}
  <h1>Our team</h1>
  <p>Write to {{ support_email }}.</p>
{% endblock %}
"""
#: The machinery fix of template revision 3: a line of the sign-in flow and its sign-out page.
FLOW_V3 = ("The web layer lets only a form carrying", "Only a form carrying")
SIGN_OUT_V3 = ("<h1>Sign out?</h1>", "<h1>Sign out of {{ project_name }}?</h1>")


def release_machinery_fix(template: Path) -> str:
    """A template revision that changes only logto_kit: a sign-in-flow module and one of its
    templates."""
    kit = template / SLUG_DIR / "logto_kit"
    for path, (old, new) in (
        (kit / "auth" / "logto_auth.py", FLOW_V3),
        (kit / "web" / "templates" / "logto" / "sign_out.html", SIGN_OUT_V3),
    ):
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return commit_all(template, "Template revision 3: a fix to the sign-in flow")


@pytest.mark.parametrize("framework", ["Flask", "Quart"])
def test_an_owners_edits_take_a_machinery_update_without_conflict(
    framework: str, template: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """Bake; make an owner's first-day edits, edits to `home.html`, a route module of their
    own and a setting of their own; the template then fixes the machinery (a sign-in-flow
    module and its template). `cruft update` applies with no conflict, every edit of the
    owner's is intact, and the bake's own suite passes."""
    answers = {"web_framework": framework, "session_backend": "cookie"}
    project = cruft_create(template, answers, tmp_path / "projects", env)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated")
    fill_env(project)
    make_owner_edits(project, PACKAGE, framework)
    home = project / PACKAGE / "templates" / "home.html"
    home.write_text(
        home.read_text(encoding="utf-8").replace(
            "{% endblock %}", OWNER_HOME_LINE + "{% endblock %}", 1
        ),
        encoding="utf-8",
    )
    (project / PACKAGE / "team.py").write_text(OWNER_ROUTES[framework], encoding="utf-8")
    (project / PACKAGE / "templates" / "team.html").write_text(OWNER_TEAM_PAGE, "utf-8")
    app_py = project / PACKAGE / "app.py"
    app_py.write_text(
        app_py.read_text(encoding="utf-8")
        .replace("from . import messages, views", "from . import messages, team, views")
        .replace(
            "    messages.register(app)\n", "    messages.register(app)\n    team.register(app)\n"
        ),
        encoding="utf-8",
    )
    with (project / ".env").open("a", encoding="utf-8") as dotenv:
        dotenv.write(OWNER_SETTING)
    with (project / ".env.example").open("a", encoding="utf-8") as example:
        example.write("\n# Where users write for help.\n" + OWNER_SETTING)
    commit_all(project, "Our pages")
    owners = snapshot(project)

    release_machinery_fix(template)
    update = cruft("update", "-y", cwd=project, env=env)
    assert update.returncode == 0, update.stdout + update.stderr
    assert "conflict" not in (update.stdout + update.stderr).lower()
    assert not list(project.rglob("*.rej")) and not list(project.rglob("*.orig"))

    status = git(project, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(status) == sorted(
        [
            " M .cruft.json",
            "M  logto_kit/auth/logto_auth.py",
            "M  logto_kit/web/templates/logto/sign_out.html",
        ]
    ), status
    changed = {name for name, data in snapshot(project).items() if owners.get(name) != data}
    assert changed == {
        ".cruft.json",
        "logto_kit/auth/logto_auth.py",
        "logto_kit/web/templates/logto/sign_out.html",
    }, "every file of the owner's is as they left it"
    sign_out = (project / "logto_kit/web/templates/logto/sign_out.html").read_text()
    assert SIGN_OUT_V3[1] in sign_out

    # The bake's own suite, lint and types, with the owner's code in it.
    for args in (
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"],
        [sys.executable, "-m", "ruff", "check", "logto_kit"],
    ):
        result = run(args, project, env)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

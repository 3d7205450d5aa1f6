"""Finish the rendered project: keep the chosen variants, fill in the dependencies from
``_requirements/``, write ``.env``, print the next steps.

Cookiecutter renders this file with Jinja and runs it inside the new project directory.
The only template expression sits in the ``__main__`` block and reads the answers as JSON
data; everything else is plain Python that the tests import unrendered.

The hook is offline and deterministic but for ``.env``'s new SECRET_KEY, which is why
``cruft update`` (rendering the old and new template in throwaway directories to diff them)
skips ``.env``. Run again over an existing project (``cookiecutter -f``), it lets the chosen
variants' files replace their earlier copies, and an existing ``.env`` keeps every value.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

TEMPLATE_BUG = "this is a template bug; please report it"

ENV_FILE = ".env"
ENV_EXAMPLE_FILE = ".env.example"
ENV_MODE = 0o600
ENV_LINE_RE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)")


class HookError(Exception):
    """A problem the user or the template author must fix, as one line."""

    def __init__(self, where: str, problem: str, fix: str) -> None:
        super().__init__(f"{where}: {problem} — {fix}")

    def line(self) -> str:
        return f"error: {self}"


# --- variants: what each answer adds ------------------------------------------------------

VARIANTS_DIR = "_variants"
MANIFEST_FILE = "variants.toml"


class Variant(NamedTuple):
    """One table of ``_variants/variants.toml``: its folder's files and its requirement files
    belong to a project whose answers match ``when``."""

    name: str
    when: dict[str, list[object]]
    requirements: list[str]

    def chosen(self, answers: dict) -> bool:
        return all(answers.get(key) in values for key, values in self.when.items())


def load_manifest(variants_dir: Path, answers: dict) -> list[Variant]:
    """The variants ``variants_dir/variants.toml`` declares, checked against its folders and
    the answers it may name."""
    manifest = variants_dir / MANIFEST_FILE
    where = f"{VARIANTS_DIR}/{MANIFEST_FILE}"
    try:
        tables = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise HookError(where, f"cannot be read ({one_line(error)})", TEMPLATE_BUG) from None
    variants = []
    for name, table in tables.items():
        when = table.get("when") if isinstance(table, dict) else None
        requirements = table.get("requirements", []) if isinstance(table, dict) else None
        if (
            not isinstance(when, dict)
            or not when
            or any(key not in answers or not isinstance(v, list) for key, v in when.items())
            or not isinstance(requirements, list)
        ):
            raise HookError(
                where,
                f"[{name}] needs `when` with lists of values of answered questions",
                TEMPLATE_BUG,
            )
        variants.append(Variant(name, when, requirements))
    folders = {entry.name for entry in variants_dir.iterdir() if entry.name != MANIFEST_FILE}
    unknown = sorted(folders - {variant.name for variant in variants})
    if unknown:
        raise HookError(VARIANTS_DIR, f"{unknown[0]!r} is not in {MANIFEST_FILE}", TEMPLATE_BUG)
    return variants


def select_variants(project_dir: Path, answers: dict, *, overwrite: bool = False) -> list[str]:
    """Move the chosen variants' files into place and remove ``_variants/``; return the
    requirement files they keep. All clashes are checked before anything moves. With
    ``overwrite`` (the project is regenerated over itself) a file replaces one already there.
    A project without the folder (one generated before) is left alone."""
    variants_dir = project_dir / VARIANTS_DIR
    if not variants_dir.is_dir():
        return []
    chosen = [v for v in load_manifest(variants_dir, answers) if v.chosen(answers)]
    moves: dict[Path, Path] = {}
    for variant in chosen:
        folder = variants_dir / variant.name
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        for source in files:
            destination = project_dir / source.relative_to(folder)
            taken = destination.exists() and not (overwrite and destination.is_file())
            if taken or destination in moves or _file_on_the_way(project_dir, destination):
                raise HookError(
                    VARIANTS_DIR,
                    f"cannot move {source.relative_to(project_dir)} to "
                    f"{destination.relative_to(project_dir)}: it already exists",
                    "a file may belong to one chosen variant, and not also to every project",
                )
            moves[destination] = source
    for destination, source in moves.items():
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, destination)
    shutil.rmtree(variants_dir)
    return [name for variant in chosen for name in variant.requirements]


def _file_on_the_way(project_dir: Path, destination: Path) -> bool:
    """Is a file where one of `destination`'s folders must go?"""
    return any(parent.is_file() for parent in destination.parents if project_dir in parent.parents)


# --- dependencies -----------------------------------------------------------------------

REQUIREMENTS_DIR = "_requirements"
PYPROJECT_FILE = "pyproject.toml"
BASE_REQUIREMENTS = "requirements.txt"
DEV_REQUIREMENTS = "requirements-dev.txt"
#: The pyproject.toml lines that the chosen requirement files replace.
RUNTIME_MARKER = "# <_requirements: runtime>"
DEV_MARKER = "# <_requirements: dev>"
DEV_GROUP_MARKER = "# <_requirements: dev group>"  # the same tools, for `uv sync`
#: `spec` or `spec  # why`; a `#` right after the spec (a URL fragment) is not a comment.
REQUIREMENT_LINE_RE = re.compile(r"(?P<spec>[^\s#-][^#]*?)(?:\s+(?P<comment>#.*))?")


def requirement_lines(path: Path, shown_as: str) -> list[str]:
    """The requirements in ``path`` as lines of a TOML array, comments kept."""
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            lines.append(f"    {line}")
            continue
        match = REQUIREMENT_LINE_RE.fullmatch(line)
        if match is None or any(ord(char) < 32 or ord(char) == 127 for char in line):
            raise HookError(
                f"{shown_as}:{number}",
                f"cannot use {line!r}",
                "write one requirement per line (`name>=1.0  # why`); pip options are not "
                "supported",
            )
        spec = match["spec"].replace("\\", "\\\\").replace('"', '\\"')
        comment = f"  {match['comment']}" if match["comment"] else ""
        lines.append(f'    "{spec}",{comment}')
    return lines


def replace_marker(text: str, marker: str, lines: list[str]) -> str:
    """``text`` with its one line reading ``marker`` replaced by ``lines``."""
    source = text.splitlines(keepends=True)
    found = [index for index, line in enumerate(source) if line.strip() == marker]
    if len(found) != 1:
        raise HookError(
            PYPROJECT_FILE,
            f"has {len(found)} lines reading {marker!r}, not one",
            TEMPLATE_BUG,
        )
    index = found[0]
    ending = source[index][len(source[index].rstrip("\r\n")) :]
    return "".join([*source[:index], *(line + ending for line in lines), *source[index + 1 :]])


def is_dev_file(name: str) -> bool:
    """``requirements-dev-<part>.txt``: tools a chosen part's tests need (the ``dev`` lists)."""
    return name.startswith("requirements-dev-")


def write_dependencies(project_dir: Path, chosen: list[str]) -> bool:
    """Fill pyproject.toml's dependency lists from ``_requirements/``, then remove the folder.

    The template keeps its dependencies in requirement files that Dependabot can read; the
    variants' manifest names the files of this project's answers (``chosen``):
    ``requirements.txt`` first, then those by name, and ``requirements-dev.txt`` (then the
    chosen ``requirements-dev-<part>.txt``) for the ``dev`` extra (`pip install -e ".[dev]"`)
    and the ``dev`` dependency group (`uv sync`).
    A project without the folder (one generated before) is left alone.
    """
    requirements_dir = project_dir / REQUIREMENTS_DIR
    if not requirements_dir.is_dir():
        return False
    files = {path.name: path for path in requirements_dir.glob("*.txt")}
    for name in (BASE_REQUIREMENTS, DEV_REQUIREMENTS, *chosen):
        if name not in files:
            raise HookError(REQUIREMENTS_DIR, f"{name} is missing", TEMPLATE_BUG)
    ordered = sorted(set(chosen), key=lambda name: Path(name).stem)
    runtime = [BASE_REQUIREMENTS, *(name for name in ordered if not is_dev_file(name))]
    dev = [DEV_REQUIREMENTS, *(name for name in ordered if is_dev_file(name))]

    def lines_of(names: list[str]) -> list[str]:
        return [
            line
            for name in names
            for line in requirement_lines(files[name], f"{REQUIREMENTS_DIR}/{name}")
        ]

    sections = {RUNTIME_MARKER: lines_of(runtime), DEV_MARKER: lines_of(dev)}
    sections[DEV_GROUP_MARKER] = sections[DEV_MARKER]
    pyproject = project_dir / PYPROJECT_FILE
    with open(pyproject, encoding="utf-8", newline="") as source:
        text = source.read()
    for marker, lines in sections.items():
        text = replace_marker(text, marker, lines)
    with open(pyproject, "w", encoding="utf-8", newline="") as target:
        target.write(text)
    shutil.rmtree(requirements_dir)
    return True


# --- .env -------------------------------------------------------------------------------


def new_secret() -> str:
    """A random key: 64 URL-safe characters, never one of ``'"\\$`` or a space."""
    return secrets.token_urlsafe(48)


def is_generated_secret(key: str) -> bool:
    """Keys the hook fills in itself (the app's own signing key, not Logto's app secret)."""
    return key == "SECRET_KEY" or key.endswith("_SECRET_KEY")


def env_key(line: str) -> str | None:
    match = ENV_LINE_RE.fullmatch(line)
    return match.group(1) if match else None


def env_blocks(example_text: str) -> list[tuple[str | None, list[str]]]:
    """Split ``.env.example`` into (key, lines) blocks; a key's comments come with it.

    Comment lines directly above a ``KEY=value`` line (no blank line between) belong to it;
    other lines form key-less blocks.
    """
    blocks: list[tuple[str | None, list[str]]] = []
    pending: list[str] = []
    for line in example_text.splitlines():
        key = env_key(line)
        if key is not None:
            blocks.append((key, [*pending, line]))
            pending = []
        elif line.lstrip().startswith("#"):
            pending.append(line)
        else:
            if pending:
                blocks.append((None, pending))
                pending = []
            blocks.append((None, [line]))
    if pending:
        blocks.append((None, pending))
    return blocks


def fill_secret(line: str, make_secret: Callable[[], str]) -> str:
    """``SECRET_KEY=`` (empty) becomes ``SECRET_KEY=<random>``; other lines are unchanged."""
    match = ENV_LINE_RE.fullmatch(line)
    if match and is_generated_secret(match.group(1)) and match.group(2).strip() in ("", '""', "''"):
        return f"{match.group(1)}={make_secret()}"
    return line


def build_env(
    example_text: str,
    existing_text: str | None = None,
    make_secret: Callable[[], str] = new_secret,
) -> tuple[str, list[str]]:
    """The new ``.env`` text and the keys it adds.

    Without an existing ``.env``, this is ``.env.example`` with empty secrets generated.
    With one, its text is kept as is and only the keys it lacks are appended.
    """
    blocks = env_blocks(example_text)
    if existing_text is None:
        lines = [fill_secret(line, make_secret) for _key, block in blocks for line in block]
        added = [key for key, _block in blocks if key is not None]
        return "\n".join(lines) + "\n", added
    present = {env_key(line) for line in existing_text.splitlines()}
    added, lines = [], []
    for key, block in blocks:
        if key is None or key in present or key in added:
            continue
        added.append(key)
        lines.extend(fill_secret(line, make_secret) for line in block)
    if not added:
        return existing_text, []
    text = existing_text
    if text and not text.endswith("\n"):
        text += "\n"
    if text:
        text += "\n"
    text += f"# Added from {ENV_EXAMPLE_FILE}\n" + "\n".join(lines) + "\n"
    return text, added


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``, readable by the owner only."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):  # not on Windows before Python 3.13
            os.fchmod(fd, ENV_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as temp:
            temp.write(text)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    os.chmod(path, ENV_MODE)


def write_env(project_dir: Path, make_secret: Callable[[], str] = new_secret) -> str | None:
    """Create or complete ``project_dir/.env`` from ``.env.example``; say what changed."""
    env_path = project_dir / ENV_FILE
    example_path = project_dir / ENV_EXAMPLE_FILE
    exists = env_path.exists()
    if not example_path.is_file():
        if exists:
            return None
        raise HookError(
            ENV_FILE,
            f"cannot create it: {ENV_EXAMPLE_FILE} is missing",
            TEMPLATE_BUG,
        )
    example_text = example_path.read_text(encoding="utf-8")
    existing_text = env_path.read_text(encoding="utf-8") if exists else None
    text, added = build_env(example_text, existing_text, make_secret)
    if exists and not added:
        return None
    write_private(env_path, text)
    if not exists:
        generated = [key for key in added if is_generated_secret(key)]
        made = f" with a new random {', '.join(generated)}" if generated else ""
        return f"created from {ENV_EXAMPLE_FILE}{made}"
    return f"kept your values; added {', '.join(added)} from {ENV_EXAMPLE_FILE}"


# --- uv.lock: named after this project ------------------------------------------------------

UV_LOCK_FILE = "uv.lock"
REQUIREMENTS_LOCK_FILE = "requirements-lock.txt"
#: The lock's entry for the project itself: its name, version and `source` the project folder.
LOCK_ROOT_RE = re.compile(
    r'^name = (?P<name>"[^"\n]*")\n(?=version = "[^"\n]*"\nsource = \{ editable = "\." \}\n)',
    re.M,
)


def canonical_name(name: str) -> str:
    """A distribution name as uv writes it in a lock (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def name_lock_project(project_dir: Path) -> bool:
    """Give ``uv.lock``'s entry for the project the name in ``pyproject.toml``.

    The template's locks (one per framework x session backend, made by
    tools/refresh_locks.py) were resolved for a bake named ``logto-web-app``; uv checks the
    project's entry against ``pyproject.toml`` (``uv sync --locked`` refuses a lock naming
    another project), and nothing else in the lock depends on the name. The notes of
    ``requirements-lock.txt`` (``# via <project>``) follow. A project without ``uv.lock`` is
    left alone."""
    lock = project_dir / UV_LOCK_FILE
    if not lock.is_file():
        return False
    with open(project_dir / PYPROJECT_FILE, "rb") as source:
        name = canonical_name(tomllib.load(source)["project"]["name"])
    with open(lock, encoding="utf-8", newline="") as source:
        text = source.read()
    found = list(LOCK_ROOT_RE.finditer(text))
    if len(found) != 1:
        raise HookError(
            UV_LOCK_FILE,
            f"has {len(found)} entries for the project (source: its own folder), not one",
            TEMPLATE_BUG,
        )
    start, end = found[0].span("name")
    old_name = json.loads(found[0]["name"])
    rewrite(lock, text, text[:start] + json.dumps(name) + text[end:])
    # requirements-lock.txt, exported from the lock, names the project in its `# via` notes.
    requirements = project_dir / REQUIREMENTS_LOCK_FILE
    if requirements.is_file() and old_name != name:
        with open(requirements, encoding="utf-8", newline="") as source:
            text = source.read()
        via = re.compile(rf"^(\s+#(?:\s+via)?\s+){re.escape(old_name)}(\r?)$", re.M)
        rewrite(requirements, text, via.sub(lambda m: f"{m[1]}{name}{m[2]}", text))
    return True


def rewrite(path: Path, text: str, new_text: str) -> None:
    """Write ``new_text`` to ``path`` if it differs from ``text``, line endings kept."""
    if new_text != text:
        with open(path, "w", encoding="utf-8", newline="") as target:
            target.write(new_text)


# --- the answers, recorded for cruft --------------------------------------------------------

CRUFT_FILE = ".cruft.json"
#: Where the answers go when the template's commit is unknown (not a git checkout): a
#: `.cruft.json` without a real commit would make cruft call the project up to date.
UNLINKED_CRUFT_FILE = ".cruft-answers.json"
UNKNOWN_COMMIT = "<the template commit this project was generated from>"
#: What cookiecutter adds about this one run (where it ran, what it wrote to): cruft records
#: none of it, and a local path has no place in a file the project commits.
RUN_KEYS = ("_output_dir", "_repo_dir", "_checkout")
GIT_TIMEOUT_SECONDS = 30


class TemplateSource(NamedTuple):
    """Where cruft finds the template this project was generated from."""

    template: str  # a git URL or the absolute path of a local repository
    commit: str | None  # None: the template was not a git checkout
    directory: str | None  # the template's folder inside the repository, if not its top
    uncommitted: bool = False  # the folder had changes that no commit holds


def git_output(folder: Path, *args: str) -> str | None:
    """``git -C folder args``'s output, or None if git is missing or says no."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def template_folder(answers: dict, cwd: Path | None) -> Path | None:
    """The folder cookiecutter rendered (``_repo_dir``), as an absolute path.

    It is relative when the template was given so (``cookiecutter .``): relative to where
    cookiecutter started, ``cwd``, since the hook itself runs in the new project."""
    given = answers.get("_repo_dir")
    if not isinstance(given, str) or not given:
        return None
    folder = Path(given).expanduser()
    if not folder.is_absolute():
        if cwd is None:
            return None
        folder = cwd / folder
    folder = Path(os.path.abspath(folder))
    return folder if (folder / "cookiecutter.json").is_file() else None


def given_as_a_folder(answers: dict) -> bool:
    """Did the user name this folder (``cookiecutter path/to/template``) rather than a
    repository that cookiecutter cloned (a URL, ``gh:...``) or a zip it unpacked?"""
    given = Path(str(answers.get("_template", ""))).expanduser()
    folder = Path(str(answers.get("_repo_dir", ""))).expanduser()
    return folder == given or given in folder.parents


def template_source(answers: dict, folder: Path | None) -> TemplateSource:
    """The repository, commit and folder cruft needs to render this template again.

    A folder the user named is recorded by its absolute path, as ``cruft create`` records a
    local template; a repository cookiecutter cloned is recorded by the URL it cloned
    (``origin``), so ``gh:`` abbreviations come out in full."""
    given = str(answers.get("_template", ""))
    if folder is None:
        return TemplateSource(given, None, None)
    top = git_output(folder, "rev-parse", "--show-toplevel")
    commit = git_output(folder, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    tracked = git_output(folder, "cat-file", "-e", "HEAD:./cookiecutter.json") is not None
    if not top or not commit or not tracked:
        return TemplateSource(given, None, None)
    directory = (git_output(folder, "rev-parse", "--show-prefix") or "").rstrip("/")
    repository = folder  # the top of the repository, spelt as the user's path (as cruft does)
    for _ in Path(directory).parts:
        repository = repository.parent
    cloned = not given_as_a_folder(answers)
    origin = git_output(folder, "remote", "get-url", "origin") if cloned else None
    return TemplateSource(
        template=origin or str(repository),
        commit=commit,
        directory=directory or None,
        uncommitted=bool(git_output(folder, "status", "--porcelain", "--", ".")),
    )


def question_order(folder: Path | None) -> list[str]:
    """The template's questions in ``cookiecutter.json``'s order (cookiecutter hands the
    answers to this hook sorted by name)."""
    if folder is None:
        return []
    try:
        questions = json.loads((folder / "cookiecutter.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return list(questions) if isinstance(questions, dict) else []


def cruft_state(answers: dict, source: TemplateSource, order: list[str] | None = None) -> dict:
    """What ``cruft create`` writes to ``.cruft.json`` (cruft 2.15+), for these answers.

    cruft keeps every answer, the private ones (``_copy_without_render``, ``_extensions``)
    and the derived ``__`` ones included, in the order of ``order`` (the template's
    questions), then ``_template`` and ``_commit``; it renders with the answers that do not
    start with ``_`` and derives the rest again."""
    commit = source.commit or UNKNOWN_COMMIT
    rank = {key: index for index, key in enumerate(order or [])}
    kept = [key for key in answers if key not in RUN_KEYS and key not in ("_template", "_commit")]
    kept.sort(key=lambda key: rank.get(key, len(rank)))
    context = {key: answers[key] for key in kept}
    context["_template"] = source.template
    context["_commit"] = commit
    return {
        "template": source.template,
        "commit": commit,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": source.directory,
    }


def cruft_json(state: dict) -> str:
    """``state`` as cruft writes it: two-space indents, non-ASCII kept, a final newline."""
    return json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"


def record_answers(answers: dict, project_dir: Path, cwd: Path | None) -> str | None:
    """Write this bake's answers where cruft reads them; return a line saying what was written.

    With the template's commit known (the template is a git checkout), that is a
    ``.cruft.json`` as ``cruft create`` writes it: ``cruft update`` and ``cruft diff`` work
    on this project at once, whether it was generated with cookiecutter or cruft, and the
    next bake of the template (which overwrites cookiecutter's replay file) cannot change it.
    Otherwise the same answers go to ``.cruft-answers.json``, with the commit to be filled in.

    Nothing is written when cruft itself renders (cookiecutter's ``_repo_dir`` is missing):
    ``cruft create`` writes ``.cruft.json`` once this hook has run, and ``cruft update`` and
    ``cruft diff`` render into throwaway folders that must hold only the template's files.
    """
    if "_repo_dir" not in answers:
        return None
    folder = template_folder(answers, cwd)
    source = template_source(answers, folder)
    if source.commit is None:
        name = UNLINKED_CRUFT_FILE
        note = (
            "this bake's answers; the template was no git checkout, so name its commit"
            f" and rename the file to {CRUFT_FILE} for `cruft update` (README.md says how)"
        )
    else:
        name = CRUFT_FILE
        note = f"this bake's answers and template commit {source.commit[:12]}, for `cruft update`"
        if source.uncommitted:
            note += "; the template had uncommitted changes, which count as your edits"
    with open(project_dir / name, "w", encoding="utf-8", newline="\n") as target:
        target.write(cruft_json(cruft_state(answers, source, question_order(folder))))
    return f"{name}: {note}"


# --- next steps -------------------------------------------------------------------------


def next_steps(answers: dict, project_dir: Path | None = None, cwd: Path | None = None) -> str:
    """What to do now, on one screen: run it (it shows what is missing), the quickest setup
    (`logto provision`), the manual Console values, and where the rest is (the README).

    ``project_dir`` is where the project was generated and ``cwd`` where the user ran
    cookiecutter; without them, paths are shown relative to the output directory.
    """
    base_url = answers["app_base_url"]
    slug = answers["project_slug"]
    if project_dir is None:
        cd_target, env_path = slug, f"{slug}/{ENV_FILE}"
    else:
        env_path = str(project_dir / ENV_FILE)
        cd_target = str(project_dir)
        if cwd is not None:
            relative = os.path.relpath(project_dir, cwd)
            if not relative.startswith(".."):
                cd_target = relative
    return "\n".join(
        [
            f"Created {answers['project_name']} ({answers['web_framework']}). Next steps:",
            "",
            "Run it; until Logto is set up, every page lists what .env still needs:",
            f"     cd {cd_target}",
            '     python -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]"',
            *store_steps(answers, project_dir),
            f"     python -m {answers['package_name']}    # dev server on {base_url}",
            "",
            f"Quickest: three values in {env_path}, then `logto provision` sets up Logto:",
            *quickest_values(answers),
            "",
            'Or by hand: in Logto Console create a "Traditional web" application, set and save:',
            f"     Redirect URI:                {base_url}/callback",
            f"     Post sign-out redirect URI:  {base_url}/",
            *backchannel_logout_steps(answers),
            f"   then into {env_path}: LOGTO_ENDPOINT (above) and its App ID and App secret as",
            "     LOGTO_APP_ID=<App ID>    LOGTO_APP_SECRET=<App secret>",
            *connector_steps(answers),
            *api_steps(answers),
            "",
            f"`logto doctor` checks the setup. README.md has the rest: tests, production.",
        ]
    )


def quickest_values(answers: dict) -> list[str]:
    """The three values `logto provision` needs, each with where it is found before any app
    exists (the endpoint is the tenant's URL: no app has one yet)."""
    endpoint = answers["logto_endpoint"]
    if "your-tenant" in endpoint:  # the answer's default, a placeholder
        where = [
            "your Logto tenant's URL: https://<tenant-id>.logto.app on Logto",
            "Cloud (Console > Settings > Domains), http://localhost:3001 locally",
        ]
    else:
        where = [
            f"your Logto tenant's URL, now {endpoint} (Logto Cloud:",
            "Console > Settings > Domains; a local Logto: http://localhost:3001)",
        ]
    return [
        f"  LOGTO_ENDPOINT        {where[0]}",
        f"                        {where[1]}",
        '  LOGTO_M2M_APP_ID and  in Logto Console > Applications, create a "Machine-to-machine"',
        '  LOGTO_M2M_APP_SECRET  app with the "Logto Management API access" role: ID, secret',
    ]


def store_steps(answers: dict, project_dir: Path | None = None) -> list[str]:
    """The session store's server to start before the app, when the chosen backend needs one:
    Redis, or PostgreSQL when `.env`'s DATABASE_URL names it (the default is a SQLite file,
    and the filesystem and cookie backends need nothing)."""
    backend = answers.get("session_backend")
    if backend == "redis":  # in the background, writing no dump.rdb into the project
        return [
            "     redis-server --daemonize yes --save ''    # sessions live in Redis (REDIS_URL)"
        ]
    if backend == "sqlalchemy" and env_value(project_dir, "DATABASE_URL").startswith("postgres"):
        return [
            "     sudo systemctl start postgresql    # sessions live in PostgreSQL (DATABASE_URL)"
        ]
    return []


def env_value(project_dir: Path | None, key: str) -> str:
    """`key`'s value in the project's `.env` ("" when it or the file is missing)."""
    env_path = None if project_dir is None else project_dir / ENV_FILE
    if env_path is None or not env_path.is_file():
        return ""
    for line in env_path.read_text(encoding="utf-8").splitlines():
        match = ENV_LINE_RE.fullmatch(line)
        if match and match.group(1) == key:
            return match.group(2).strip().strip("'\"")
    return ""


def backchannel_logout_steps(answers: dict) -> list[str]:
    """The URI Logto POSTs logout tokens to (Console: the app's "Backchannel logout" settings)."""
    if not answers.get("use_backchannel_logout"):
        return []
    uri = f"{answers['app_base_url']}/backchannel-logout"
    return [f"     Back-channel logout URI:     {uri}, session required"]


def api_steps(answers: dict) -> list[str]:
    """The protected API's one Logto step, in brief (the README's "Protected API" has it)."""
    if not answers.get("api_resource"):
        return []
    return [
        f"API: `logto provision` creates the API resource {answers['api_resource']},",
        "   its permissions and a role holding them (`--assign-role <user>` gives it).",
    ]


def connector_steps(answers: dict) -> list[str]:
    """What each chosen connector needs, in brief (the README has the steps)."""
    endpoint = answers["logto_endpoint"]
    steps: list[str] = []
    if answers.get("use_twilio"):
        steps += [
            "Twilio SMS: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, "
            "TWILIO_MESSAGING_SERVICE_SID (MG...,",
            f"   not a phone number) into .env; `logto connectors` prints the connector's",
            "   JSON for Logto Console; add Phone number (verification code) as a sign-in method.",
        ]
    if answers.get("use_patreon"):
        steps += [
            "Patreon: create a client at "
            "https://www.patreon.com/portal/registration/register-clients",
            f"   with Redirect URI {endpoint}/callback/patreon (by hand: the Callback URI",
            "   on the connector's page in Logto Console); ID and secret into .env as "
            "PATREON_CLIENT_*.",
        ]
    return steps


# --- running ----------------------------------------------------------------------------


def configure_streams() -> None:
    """Printing must never fail, whatever the encoding of a pipe or terminal."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def emit(text: str, *, error: bool = False) -> None:
    """Print to stdout (or stderr) without ever failing: a closed pipe just loses the text."""
    stream = sys.stderr if error else sys.stdout
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):
        # Point the descriptor at /dev/null so the flush at interpreter exit cannot fail.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def bold(text: str) -> str:
    try:
        colour = sys.stdout.isatty()
    except (AttributeError, ValueError):
        colour = False
    return f"\033[1m{text}\033[0m" if colour else text


def user_cwd() -> Path | None:
    """The directory cookiecutter was started from (the hook itself runs in the project)."""
    pwd = os.environ.get("PWD")
    return Path(pwd) if pwd and os.path.isabs(pwd) and os.path.isdir(pwd) else None


def main(answers: dict, project_dir: Path) -> int:
    # A .env before this hook ran means `cookiecutter -f` is regenerating an existing project.
    regenerating = (project_dir / ENV_FILE).exists()
    requirements = select_variants(project_dir, answers, overwrite=regenerating)
    write_dependencies(project_dir, requirements)
    name_lock_project(project_dir)
    env_note = write_env(project_dir)
    cwd = user_cwd()
    answers_note = record_answers(answers, project_dir, cwd)
    steps = next_steps(answers, project_dir, cwd).split("\n")
    emit(bold(steps[0]))
    if env_note:
        emit(f"  {ENV_FILE}: {env_note} (owner-only, git-ignored)")
    if answers_note:
        emit(f"  {answers_note}")
    emit("\n".join(steps[1:]))
    return 0


def run(answers: dict, project_dir: Path) -> int:
    """``main`` with every failure turned into one line on stderr and status 1."""
    try:
        configure_streams()
        return main(answers, project_dir)
    except KeyboardInterrupt:
        return 130
    except HookError as error:
        emit(error.line(), error=True)
        return 1
    except Exception as error:  # the user must never see a traceback
        emit(
            f"error: post_gen_project: unexpected {type(error).__name__}: {one_line(error)}"
            " — this is a template bug; please report it",
            error=True,
        )
        return 1


if __name__ == "__main__":
    ANSWERS = json.loads(r""" {{ cookiecutter | tojson }} """)
    sys.exit(run(ANSWERS, Path.cwd()))

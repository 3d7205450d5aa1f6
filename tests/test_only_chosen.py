"""Each bake holds only what its answers chose: no word of the other framework, of a connector
not chosen, or of another session backend's setting, in any text file of the project (code,
tests, README, .env, .env.example, CI, container and tool files, the lock file) or in the name
of any file.

The rule, per bake (each word matched case-insensitively anywhere in a line, so `Quart`,
`quart_session`, `.quartenv` and `TEST_REDIS_URL` all count):
- web framework: a Flask bake never says `quart`, `fastapi` or `starlette`; a Quart bake never
  says `flask`, except in its lock file, which pins flask because Quart is built on it
  (ALLOWED), nor `fastapi` or `starlette`; a FastAPI bake never says `flask` or `quart`.
  None speaks of frameworks it does not have: "both frameworks", "either framework", "each
  framework", "the other framework" are refused in every bake (a bake has one);
- connectors: a bake without Twilio never says `twilio`, one without Patreon never `patreon`;
- session backends: a bake never names another backend's setting, `redis_url` (redis),
  `database_url` (sqlalchemy) or `session_dir` (filesystem), as a variable or an attribute.
  Naming another backend (redis, SQLite) stays allowed: a cookie bake's README and its
  "session too large" page say which backend to choose instead.

Also here, moved from the bakes where they could not fail: the connectors that can be chosen
together are distinct (a bake with one connector or none has nothing to compare).
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.bakes import COMBINATIONS, combination_id, run, text_files

#: Each framework's words; a bake of another framework holds none of them.
FRAMEWORK_WORDS = {"Flask": ("flask",), "Quart": ("quart",), "FastAPI": ("fastapi", "starlette")}
#: A bake has one framework; these speak of more than one.
OTHER_FRAMEWORKS = "frameworks"
OTHER_FRAMEWORKS_PATTERN = r"\b(?:both|either|each|the other) (?:web )?frameworks?\b"
CONNECTOR_WORDS = {"use_twilio": "twilio", "use_patreon": "patreon"}
BACKEND_SETTINGS = {"redis": "redis_url", "sqlalchemy": "database_url", "filesystem": "session_dir"}


@dataclass(frozen=True)
class Allowed:
    """Lines of files (a glob relative to the project) where `word` may stay, and why."""

    word: str
    path: str
    reason: str
    line: str = ""  # a regex the line must match (empty: any line of the file)
    framework: str = ""  # the web framework whose bakes need it (empty: any)


#: The only places an unchosen word may appear. Every entry must still be needed: one that
#: matches nothing in a bake where its word is refused and its file exists fails the test.
ALLOWED = [
    Allowed(
        "flask",
        "requirements-lock.txt",
        "Quart is built on Flask and requires it: the lock pins flask (with hashes) and notes "
        "which of the other pins flask also needs (`# via flask`)",
        r"^flask==|^\s+#(\s+via)?\s+flask$",
        "Quart",
    ),
    Allowed(
        "flask",
        "uv.lock",
        "the same for uv: the lock's flask entry, its files and the packages that depend on it",
        r'^name = "flask"$|/flask-[0-9][^/"]*\.(tar\.gz|whl)"|^\s*\{ name = "flask" \},?$',
        "Quart",
    ),
    Allowed(
        "twilio",
        ".cruft*.json",
        "the recorded answers (what `cruft update` renders with) hold every question's, a "
        "declined connector's `false` too, and the template's rule to copy the SMS texts as-is",
        r'^\s*"use_twilio": false,$|^\s*"\*/twilio_sms_templates\.json"$',
    ),
    Allowed(
        "patreon",
        ".cruft*.json",
        "the recorded answers hold every question's, a declined connector's `false` too",
        r'^\s*"use_patreon": false,$',
    ),
]


def refused_words(answers: dict[str, Any]) -> dict[str, str]:
    """The words this bake's answers did not choose, each with the regex that finds it."""
    framework = answers.get("web_framework", "Flask")
    backend = answers.get("session_backend", "cookie")
    words = [
        *(word for name, words in FRAMEWORK_WORDS.items() if name != framework for word in words),
        *(word for answer, word in CONNECTOR_WORDS.items() if not answers.get(answer)),
        *(word for name, word in BACKEND_SETTINGS.items() if name != backend),
    ]
    return {**{word: re.escape(word) for word in words}, OTHER_FRAMEWORKS: OTHER_FRAMEWORKS_PATTERN}


def unchosen_mentions(
    answers: dict[str, Any], project: Path, allowed: list[Allowed] | None = None
) -> tuple[list[str], set[Allowed]]:
    """`path:line: text` for every line (and `path` for every file name) that holds a word the
    answers did not choose, outside `allowed`; and the allowances that were used."""
    framework = answers.get("web_framework", "Flask")
    allowed = [
        entry
        for entry in (ALLOWED if allowed is None else allowed)
        if entry.framework in ("", framework)
    ]
    words = refused_words(answers)
    finders = {word: re.compile(pattern, re.IGNORECASE) for word, pattern in words.items()}
    problems: list[str] = []
    used: set[Allowed] = set()
    for path in sorted(p for p in project.rglob("*") if p.is_file()):
        relative = path.relative_to(project).as_posix()
        if any(finder.search(relative) for finder in finders.values()):
            problems.append(f"{relative}: the file's name")
    for path in text_files(project):
        relative = path.relative_to(project).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = [word for word, finder in finders.items() if finder.search(line)]
            allowances = [
                next(
                    (
                        entry
                        for entry in allowed
                        if entry.word == word
                        and fnmatch.fnmatch(relative, entry.path)
                        and re.search(entry.line, line)
                    ),
                    None,
                )
                for word in found
            ]
            if None in allowances:
                problems.append(f"{relative}:{number}: {line.strip()}")
            used.update(entry for entry in allowances if entry is not None)
    return problems, used


@pytest.fixture(scope="module", params=COMBINATIONS, ids=combination_id)
def baked(request: pytest.FixtureRequest, cookies_session: Any) -> tuple[dict[str, Any], Path]:
    answers: dict[str, Any] = request.param
    result = cookies_session.bake(extra_context=answers)
    assert result.exit_code == 0, result.exception
    return answers, Path(result.project_path)


def test_the_bake_names_nothing_it_did_not_choose(baked: tuple[dict[str, Any], Path]) -> None:
    answers, project = baked
    problems, _used = unchosen_mentions(answers, project)
    refused = ", ".join(refused_words(answers))
    assert problems == [], f"words of what was not chosen ({refused}):\n" + "\n".join(problems)


def test_every_allowance_is_still_needed(baked: tuple[dict[str, Any], Path]) -> None:
    answers, project = baked
    _problems, used = unchosen_mentions(answers, project)
    words = refused_words(answers)
    files = [path.relative_to(project).as_posix() for path in project.rglob("*")]
    framework = answers.get("web_framework", "Flask")
    stale = [
        entry
        for entry in ALLOWED
        if entry.word in words
        and entry.framework in ("", framework)
        and any(fnmatch.fnmatch(file, entry.path) for file in files)
        and entry not in used
    ]
    assert stale == []


def test_the_check_finds_each_kind_of_mention(tmp_path: Path) -> None:
    """The check itself can fail: each kind of unchosen word, in a line and in a file name."""
    (tmp_path / "app.py").write_text(
        "ok = 1\nfrom quart import Quart\nREDIS_URL = 'x'\n# Twilio SMS\n# for both frameworks\n",
        encoding="utf-8",
    )
    (tmp_path / ".quartenv").write_text("", encoding="utf-8")
    (tmp_path / "requirements-lock.txt").write_text("flask==3.1.3 \\\n", encoding="utf-8")
    answers = {"web_framework": "Flask", "session_backend": "cookie"}
    problems, _used = unchosen_mentions(answers, tmp_path)
    assert problems == [
        ".quartenv: the file's name",
        "app.py:2: from quart import Quart",
        "app.py:3: REDIS_URL = 'x'",
        "app.py:4: # Twilio SMS",
        "app.py:5: # for both frameworks",
    ]
    quart = {"web_framework": "Quart", "session_backend": "redis", "use_twilio": True}
    problems, used = unchosen_mentions(quart, tmp_path)
    assert problems == ["app.py:5: # for both frameworks"]  # the lock may pin flask
    assert used == {entry for entry in ALLOWED if entry.path == "requirements-lock.txt"}


def test_connectors_chosen_together_are_distinct(cookies_session: Any) -> None:
    """Two connectors never share a button, a place among them, a name or Logto's factory."""
    answers = {"use_twilio": True, "use_patreon": True}
    result = cookies_session.bake(extra_context=answers)
    assert result.exit_code == 0, result.exception
    script = (
        "import json; from logto_kit.connectors import CHOSEN; print(json.dumps([[c.order,"
        " c.factory_id, c.name, c.button.slug, c.button.label] for c in CHOSEN]))"
    )
    listed = run([sys.executable, "-c", script], cwd=Path(result.project_path))
    assert listed.returncode == 0, listed.stderr
    connectors = json.loads(listed.stdout)
    assert len(connectors) == len(CONNECTOR_WORDS)
    for values in zip(*connectors, strict=True):
        assert len(set(values)) == len(values), values
    assert [order for order, *_ in connectors] == sorted(order for order, *_ in connectors)

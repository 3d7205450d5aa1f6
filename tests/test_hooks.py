"""Unit tests of the hook functions, importing the unrendered hook files by path."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from cookiecutter.environment import StrictEnvironment

HOOKS_DIR = Path(__file__).resolve().parent.parent / "hooks"


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", HOOKS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre = load_hook("pre_gen_project")
post = load_hook("post_gen_project")

GOOD_ANSWERS = {
    "project_name": "Logto Web App",
    "project_slug": "logto-web-app",
    "package_name": "logto_web_app",
    "description": "A Python web app that signs users in with Logto.",
    "author_name": "Your Name",
    "author_email": "you@example.com",
    "web_framework": "Flask",
    "session_backend": "cookie",
    "use_twilio": False,
    "use_patreon": False,
    "api_resource": "",
    "use_organizations": False,
    "use_backchannel_logout": False,
    "logto_endpoint": "https://your-tenant.logto.app",
    "app_base_url": "http://localhost:3000",
}

HOSTILE_TEXT = [
    'say "hi"',
    "it's",
    'triple """ quotes',
    "trailing backslash \\",
    "สวัสดีชาวโลก",
    "emoji 🎉👩‍💻",
    "\"; __import__('os').system('touch MARKER')",
    "{{ 7*7 }} {% raw %}",
    "x" * pre.MAX_TEXT_LENGTH,
]


def expect_error(check, value, *fragments):
    with pytest.raises(pre.AnswerError) as info:
        check(value)
    line = info.value.line()
    assert line.startswith("error: ")
    assert " — " in line
    assert "\n" not in line
    for fragment in fragments:
        assert fragment in line, line
    return line


# --- importing ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pre_gen_project", "post_gen_project"])
def test_importing_a_hook_runs_nothing(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    module = load_hook(name)
    assert not hasattr(module, "ANSWERS")
    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("name", ["pre_gen_project", "post_gen_project"])
def test_the_only_jinja_is_the_answers_line_in_main(name):
    source = (HOOKS_DIR / f"{name}.py").read_text(encoding="utf-8")
    tags = [m.start() for m in re.finditer(r"\{\{|\{%|\{#", source)]
    assert len(tags) == 1
    assert source.index('if __name__ == "__main__":') < tags[0]
    assert 'json.loads(r""" {{ cookiecutter | tojson }} """)' in source


# --- pre_gen_project: free text -----------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_TEXT)
@pytest.mark.parametrize("key", ["project_name", "description", "author_name"])
def test_free_text_accepts_any_one_line_text(key, value):
    pre.check_text(key, value, required=key == "project_name")


@pytest.mark.parametrize("key", ["description", "author_name"])
def test_optional_free_text_may_be_empty(key):
    pre.check_text(key, "")


@pytest.mark.parametrize("value", ["", "   "])
def test_project_name_is_required(value):
    expect_error(
        lambda v: pre.check_text("project_name", v, required=True),
        value,
        "project_name: is empty",
    )


@pytest.mark.parametrize(
    "value, code",
    [
        ("two\nlines", "U+000A"),
        ("carriage\rreturn", "U+000D"),
        ("a\ttab", "U+0009"),
        ("nul\x00", "U+0000"),
        ("escape\x1b[31m", "U+001B"),
        ("delete\x7f", "U+007F"),
        ("next line\x85", "U+0085"),
        ("line separator\u2028", "U+2028"),
        ("paragraph separator\u2029", "U+2029"),
    ],
)
@pytest.mark.parametrize("key", ["project_name", "description", "author_name"])
def test_free_text_must_be_one_line(key, value, code):
    expect_error(lambda v: pre.check_text(key, v), value, f"{key}: contains", code, "one line")


def test_free_text_has_a_length_limit():
    expect_error(
        lambda v: pre.check_text("description", v),
        "x" * (pre.MAX_TEXT_LENGTH + 1),
        "description: is 201 characters long",
    )


def test_free_text_must_be_a_string():
    expect_error(lambda v: pre.check_text("author_name", v), 42, "author_name: 42 is not text")


# --- pre_gen_project: slug and package ----------------------------------------------------


@pytest.mark.parametrize("value", ["a", "my-app", "logto-web-app", "app2", "a1-b2-c3"])
def test_good_slugs(value):
    pre.check_project_slug(value)


@pytest.mark.parametrize(
    "value",
    [
        "My App",
        "my_app",
        "My-App",
        "../x",
        "a/b",
        "a\\b",
        ".",
        "..",
        "1abc",
        "-abc",
        "abc-",
        "a--b",
        "a.b",
        "ünï",
        "a b",
    ],
)
def test_bad_slugs(value):
    expect_error(
        pre.check_project_slug,
        value,
        "project_slug:",
        "is not a valid folder and distribution name",
        "lowercase ASCII letters and digits",
    )


def test_empty_slug_asks_to_set_it_explicitly():
    expect_error(
        lambda v: pre.check_project_slug(v, "🎉"),
        "",
        "project_slug: is empty because project_name '🎉' has no ASCII letters",
        "set project_slug explicitly",
    )


def test_slug_length_limit():
    expect_error(pre.check_project_slug, "a" * 101, "is 101 characters long")


@pytest.mark.parametrize("value", ["my_app", "logto_web_app", "app2", "a", "logto_app", "match"])
def test_good_package_names(value):
    pre.check_package_name(value)


@pytest.mark.parametrize(
    "value",
    ["My_App", "my-app", "1app", "_app", "my app", "app.core", "", "ünï", "app\n"],
)
def test_package_name_must_be_a_lowercase_identifier(value):
    expect_error(pre.check_package_name, value, "is not a lowercase Python identifier")


@pytest.mark.parametrize("value", ["class", "import", "def", "lambda", "async", "await"])
def test_package_name_must_not_be_a_keyword(value):
    expect_error(pre.check_package_name, value, "is a Python keyword", f"{value}_app")


@pytest.mark.parametrize("value", ["json", "os", "secrets", "email", "http", "sqlite3", "typing"])
def test_package_name_must_not_shadow_the_stdlib(value):
    expect_error(pre.check_package_name, value, "shadow the standard library")


@pytest.mark.parametrize("value", sorted(pre.RESERVED_PACKAGE_NAMES))
def test_package_name_must_not_shadow_a_dependency(value):
    line = expect_error(pre.check_package_name, value, f"package_name: '{value}' would shadow")
    assert "module the generated project imports" in line


def test_reserved_names_are_import_names():
    for name in pre.RESERVED_PACKAGE_NAMES:
        assert name.isidentifier() and name == name.lower()


# --- pre_gen_project: email, URLs, framework ----------------------------------------------


@pytest.mark.parametrize(
    "value", ["you@example.com", "first.last+tag@sub.example.org", "o'brien@example.ie"]
)
def test_good_emails(value):
    pre.check_author_email(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "you",
        "you@",
        "@example.com",
        "you@example",
        "you@@example.com",
        "a b@example.com",
        "you@exa mple.com",
        "You <you@example.com>",
        "you@example.com\n",
        "you\t@example.com",
        ".you@example.com",
        "you..me@example.com",
        "you@-example.com",
        "ü@example.com",
    ],
)
def test_bad_emails(value):
    expect_error(
        pre.check_author_email, value, "author_email:", "is not a plain email", "name@example.com"
    )


GOOD_URLS = [
    "https://your-tenant.logto.app",
    "https://auth.example.com:8443",
    "http://localhost:3000",
    "http://localhost",
    "http://127.0.0.1:3001",
    "http://[::1]:3000",
    "https://[2001:db8::1]",
    "https://10.0.0.5:443",
    "https://logto",
    "https://a.b:65535",
    "https://a.b:1",
]


@pytest.mark.parametrize("value", GOOD_URLS)
@pytest.mark.parametrize("key", ["logto_endpoint", "app_base_url"])
def test_good_urls(key, value):
    pre.check_base_url(key, value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "https://api.example.com",
        "https://api.example.com/v1",
        "https://api.example.com/",
        "http://localhost:8000",
        "https://[::1]:8443/api",
    ],
)
def test_good_api_resources(value):
    pre.check_api_resource(value)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("api.example.com", "is not an http(s) URI"),
        ("urn:logto:api", "is not an http(s) URI"),
        ("ftp://api.example.com", "is not an http(s) URI"),
        ("https://api.example.com#x", "must not have a fragment"),
        ("https://api.example.com?x=1", "must not have a query string"),
        ("https://u:p@api.example.com", "must not contain a user name or password"),
        ("https:///path", "names no host"),
        ("https://api example.com", "contains spaces or control characters"),
        ("https://API.example.com", "has capital letters"),
        ("https://api.example.com/" + "x" * 200, "characters long"),
        (None, "is not text"),
    ],
)
def test_bad_api_resources(value, fragment):
    with pytest.raises(pre.AnswerError) as refused:
        pre.check_api_resource(value)
    assert fragment in refused.value.line()


@pytest.mark.parametrize(
    "value, fragments",
    [
        ("ftp://x.example.com", ["scheme 'ftp' is not allowed"]),
        ("HTTPS://x.example.com", ["scheme 'HTTPS' is not allowed"]),
        ("x.logto.app", ["does not start with https://"]),
        ("//x.logto.app", ["does not start with https://"]),
        ("", ["does not start with https://"]),
        ("http://example.com", ["plain http is only allowed for localhost", "https://example.com"]),
        ("http://10.0.0.1:3000", ["plain http is only allowed"]),
        ("http://localhost.example.com", ["plain http is only allowed"]),
        (
            "https://x.logto.app/",
            ["ends with '/'", "remove the trailing '/': https://x.logto.app"],
        ),
        ("http://localhost:3000/", ["remove the trailing '/': http://localhost:3000"]),
        ("https://x.logto.app/path", ["must not have a path", "https://x.logto.app"]),
        ("https://x.logto.app//", ["must not have a path"]),
        ("https://x?y", ["must not have a query string"]),
        ("https://x.logto.app/?y", ["must not have a query string"]),
        ("https://x#y", ["must not have a fragment"]),
        ("https://u:p@x", ["must not contain a user name or password"]),
        ("https://u@x.logto.app", ["must not contain a user name or password"]),
        ("http://localhost:99999", ["port '99999' is not valid", "1 to 65535"]),
        ("http://localhost:0", ["port '0' is not valid"]),
        ("http://localhost:", ["port '' is not valid"]),
        ("http://localhost:03000", ["port '03000' is not valid"]),
        ("http://localhost:abc", ["port 'abc' is not valid"]),
        ("https://", ["has no host"]),
        ("https://:443", ["has no host"]),
        ("https://X.Logto.App", ["has capital letters"]),
        ("https://ex_ample.com", ["is not a valid host name"]),
        ("https://-x.com", ["is not a valid host name"]),
        ("https://x..com", ["is not a valid host name"]),
        ("https://999.1.1.1", ["is not a valid IPv4 address"]),
        ("https://::1", ["IPv6 address without brackets"]),
        ("https://[nope]", ["is not a valid IPv6 address"]),
        ("https://[::1", ["is not a valid host"]),
        ("https://[::1]x", ["is not a valid host"]),
        ("https://exa mple.com", ["contains spaces or control characters"]),
        ("https://example.com\n", ["contains spaces or control characters"]),
        ("https://bücher.example", ["is not a valid host name"]),
    ],
)
@pytest.mark.parametrize("key", ["logto_endpoint", "app_base_url"])
def test_bad_urls(key, value, fragments):
    expect_error(lambda v: pre.check_base_url(key, v), value, f"{key}:", *fragments)


@pytest.mark.parametrize("value", ["Flask", "Quart"])
def test_good_frameworks(value):
    pre.check_web_framework(value)


@pytest.mark.parametrize("value", ["Django", "flask", "", None])
def test_bad_frameworks(value):
    expect_error(pre.check_web_framework, value, "web_framework:", "choose one of Flask, Quart")


# --- pre_gen_project: all answers ---------------------------------------------------------


def test_good_answers_have_no_errors():
    assert pre.validate_answers(GOOD_ANSWERS) == []
    assert pre.validate_answers({**GOOD_ANSWERS, "web_framework": "Quart"}) == []


def test_every_bad_answer_is_reported_once_in_prompt_order():
    answers = {
        **GOOD_ANSWERS,
        "project_name": "a\nb",
        "package_name": "json",
        "app_base_url": "http://example.com",
    }
    errors = pre.validate_answers(answers)
    assert [error.key for error in errors] == ["project_name", "package_name", "app_base_url"]


def test_package_name_made_from_a_bad_slug_is_not_reported_twice():
    answers = {**GOOD_ANSWERS, "project_slug": "My App", "package_name": "My App"}
    assert [error.key for error in pre.validate_answers(answers)] == ["project_slug"]
    answers["package_name"] = "json"
    assert [e.key for e in pre.validate_answers(answers)] == ["project_slug", "package_name"]


def test_missing_answer_is_reported():
    answers = dict(GOOD_ANSWERS)
    del answers["author_email"]
    [error] = pre.validate_answers(answers)
    assert error.line() == "error: author_email: is missing — answer it (see cookiecutter.json)"


def test_main_prints_one_line_per_error(capsys):
    assert pre.main({**GOOD_ANSWERS, "project_slug": "My App"}) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: project_slug: 'My App' is not a valid folder")
    assert err.count("\n") == 1
    assert pre.main(GOOD_ANSWERS) == 0
    assert capsys.readouterr() == ("", "")


def test_unexpected_failure_is_one_line_without_traceback(capsys, monkeypatch):
    def explode(answers):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(pre, "validate_answers", explode)
    assert pre.run(GOOD_ANSWERS) == 1
    _out, err = capsys.readouterr()
    assert err == (
        "error: pre_gen_project: unexpected RuntimeError: boom second line"
        " — this is a template bug; please report it\n"
    )


# --- post_gen_project: variants ----------------------------------------------------------


def make_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


MANIFEST = """\
[flask]
when = { web_framework = ["Flask"] }
requirements = ["requirements-flask.txt"]

[quart]
when = { web_framework = ["Quart"] }

[server-side]
when = { session_backend = ["redis", "sqlalchemy"] }
requirements = ["requirements-store.txt"]

[quart-server-side]
when = { web_framework = ["Quart"], session_backend = ["redis", "sqlalchemy"] }
"""
FRAMEWORK_TREE = {
    "README.md": "readme",
    "src/pkg/settings.py": "settings",
    "_variants/variants.toml": MANIFEST,
    "_variants/flask/src/pkg/app.py": "flask app",
    "_variants/flask/src/pkg/web/routes.py": "flask routes",
    "_variants/flask/src/pkg/.flaskenv": "flask dotfile",
    "_variants/flask/gunicorn.conf.py": "gunicorn",
    "_variants/quart/src/pkg/app.py": "quart app",
    "_variants/quart/src/pkg/web/routes.py": "quart routes",
    "_variants/quart/src/pkg/.quartrc": "quart dotfile",
    "_variants/quart/hypercorn.toml": "hypercorn",
    "_variants/server-side/src/pkg/store.py": "store",
    "_variants/quart-server-side/src/pkg/quart_store.py": "quart store",
}


def answers(**changes: object) -> dict[str, object]:
    return {**GOOD_ANSWERS, **changes}


@pytest.mark.parametrize("framework", ["Flask", "Quart"])
def test_select_variants_moves_the_chosen_variants_into_place(tmp_path, framework):
    make_tree(tmp_path, FRAMEWORK_TREE)
    requirements = post.select_variants(tmp_path, answers(web_framework=framework))
    if framework == "Flask":
        expected_extra = {
            "gunicorn.conf.py": "gunicorn",
            "src/pkg/.flaskenv": "flask dotfile",
            "src/pkg/app.py": "flask app",
            "src/pkg/web/routes.py": "flask routes",
        }
    else:
        expected_extra = {
            "hypercorn.toml": "hypercorn",
            "src/pkg/.quartrc": "quart dotfile",
            "src/pkg/app.py": "quart app",
            "src/pkg/web/routes.py": "quart routes",
        }
    assert tree(tmp_path) == {
        "README.md": "readme",
        "src/pkg/settings.py": "settings",
        **expected_extra,
    }
    assert requirements == (["requirements-flask.txt"] if framework == "Flask" else [])
    assert not (tmp_path / "_variants").exists()


@pytest.mark.parametrize(
    ("framework", "backend", "files", "requirements"),
    [
        ("Quart", "redis", {"store.py", "quart_store.py"}, ["requirements-store.txt"]),
        ("Flask", "sqlalchemy", {"store.py"}, ["requirements-flask.txt", "requirements-store.txt"]),
        ("Quart", "cookie", set(), []),
    ],
)
def test_a_variant_holds_when_every_condition_does(
    tmp_path, framework, backend, files, requirements
):
    make_tree(tmp_path, FRAMEWORK_TREE)
    chosen = post.select_variants(
        tmp_path, answers(web_framework=framework, session_backend=backend)
    )
    stores = {p.name for p in (tmp_path / "src/pkg").glob("*store.py")}
    assert (stores, chosen) == (files, requirements)


def test_select_variants_without_the_folder_does_nothing(tmp_path):
    make_tree(tmp_path, {"a.py": "a"})
    assert post.select_variants(tmp_path, answers()) == []
    assert tree(tmp_path) == {"a.py": "a"}


def test_select_variants_refuses_to_overwrite(tmp_path):
    make_tree(
        tmp_path,
        {**FRAMEWORK_TREE, "src/pkg/app.py": "shared app", "_variants/flask/src/zzz.py": "later"},
    )
    before = tree(tmp_path)
    with pytest.raises(post.HookError) as info:
        post.select_variants(tmp_path, answers())
    assert info.value.line() == (
        "error: _variants: cannot move _variants/flask/src/pkg/app.py to src/pkg/app.py:"
        " it already exists — a file may belong to one chosen variant, and not also to every"
        " project"
    )
    assert tree(tmp_path) == before, "nothing moves when any destination clashes"


def test_two_chosen_variants_may_not_hold_the_same_file(tmp_path):
    make_tree(tmp_path, {**FRAMEWORK_TREE, "_variants/server-side/src/pkg/app.py": "store app"})
    with pytest.raises(post.HookError, match=r"cannot move _variants/server-side/src/pkg/app\.py"):
        post.select_variants(tmp_path, answers(session_backend="redis"))


def test_select_variants_refuses_a_file_where_a_folder_goes(tmp_path):
    make_tree(tmp_path, {**FRAMEWORK_TREE, "src/pkg/web": "a file"})
    with pytest.raises(post.HookError, match=r"routes\.py to src/pkg/web/routes\.py"):
        post.select_variants(tmp_path, answers(), overwrite=True)


def test_select_variants_overwrite_replaces_files_of_an_earlier_run(tmp_path):
    """`cookiecutter -f` renders `_variants/` again over a project whose files already moved."""
    make_tree(tmp_path, FRAMEWORK_TREE)
    post.select_variants(tmp_path, answers())
    make_tree(tmp_path, {**FRAMEWORK_TREE, "_variants/flask/src/pkg/app.py": "flask app v2"})
    with pytest.raises(post.HookError, match="it already exists"):
        post.select_variants(tmp_path, answers())
    post.select_variants(tmp_path, answers(), overwrite=True)
    assert tree(tmp_path)["src/pkg/app.py"] == "flask app v2"
    assert not (tmp_path / "_variants").exists()


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"_variants/django/app.py": "a"}, "'django' is not in variants.toml"),
        ({"_variants/variants.toml": "[x]\nwhen = {}\n"}, "[x] needs `when`"),
        ({"_variants/variants.toml": '[x]\nwhen = { framework = ["a"] }\n'}, "[x] needs"),
        ({"_variants/variants.toml": '[x]\nwhen = { web_framework = "Flask" }\n'}, "[x] needs"),
        ({"_variants/variants.toml": "[x\n"}, "variants.toml: cannot be read"),
    ],
)
def test_a_broken_manifest_is_one_line(tmp_path, files, problem):
    make_tree(tmp_path, {**FRAMEWORK_TREE, **files})
    with pytest.raises(post.HookError) as info:
        post.select_variants(tmp_path, answers())
    assert problem in info.value.line()
    assert info.value.line().endswith("this is a template bug; please report it")


def test_post_main_regenerates_over_an_existing_project(tmp_path, capsys):
    """An existing `.env` means the project is regenerated over itself: files are replaced,
    `.env` is kept byte for byte."""
    make_tree(tmp_path, FRAMEWORK_TREE)
    write_example(tmp_path)
    assert post.run(GOOD_ANSWERS, tmp_path) == 0
    env_before = (tmp_path / ".env").read_bytes()
    make_tree(tmp_path, FRAMEWORK_TREE)
    capsys.readouterr()
    assert post.run(GOOD_ANSWERS, tmp_path) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "  .env: " not in out, "nothing to say about an existing, complete .env"
    assert (tmp_path / ".env").read_bytes() == env_before
    assert not (tmp_path / "_variants").exists()


# --- post_gen_project: .env ---------------------------------------------------------------

ENV_EXAMPLE = """\
# Logto: Console > Applications > your app
LOGTO_ENDPOINT=https://your-tenant.logto.app
LOGTO_APP_ID=
LOGTO_APP_SECRET=

# Signs the session cookie; generated for you.
SECRET_KEY=
APP_BASE_URL=http://localhost:3000
"""


def env_values(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def write_example(project: Path, text: str = ENV_EXAMPLE) -> None:
    (project / ".env.example").write_text(text, encoding="utf-8")


def test_fresh_env_is_the_example_with_a_generated_secret_key(tmp_path):
    write_example(tmp_path)
    note = post.write_env(tmp_path)
    assert "created from .env.example" in note
    text = (tmp_path / ".env").read_text(encoding="utf-8")
    values = env_values(text)
    secret = values.pop("SECRET_KEY")
    assert len(secret) >= 32
    assert not set(secret) & set("'\"\\$ #=")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", secret)
    assert values == {
        "LOGTO_ENDPOINT": "https://your-tenant.logto.app",
        "LOGTO_APP_ID": "",
        "LOGTO_APP_SECRET": "",
        "APP_BASE_URL": "http://localhost:3000",
    }
    assert text == ENV_EXAMPLE.replace("SECRET_KEY=\n", f"SECRET_KEY={secret}\n")


def test_two_fresh_envs_get_different_keys(tmp_path):
    keys = []
    for name in ("one", "two"):
        project = tmp_path / name
        project.mkdir()
        write_example(project)
        post.write_env(project)
        keys.append(env_values((project / ".env").read_text(encoding="utf-8"))["SECRET_KEY"])
    assert keys[0] != keys[1]


def test_env_file_is_private(tmp_path):
    write_example(tmp_path)
    old_umask = os.umask(0)
    try:
        post.write_env(tmp_path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".env", ".env.example"], "no temporary file is left behind"


def test_rerun_keeps_the_env_unchanged(tmp_path):
    write_example(tmp_path)
    post.write_env(tmp_path)
    before = (tmp_path / ".env").read_text(encoding="utf-8")
    assert post.write_env(tmp_path) is None
    assert (tmp_path / ".env").read_text(encoding="utf-8") == before


def test_rerun_keeps_existing_values_and_appends_missing_keys(tmp_path):
    write_example(tmp_path)
    existing = "LOGTO_APP_ID=my-id\nLOGTO_ENDPOINT=https://mine.logto.app\nEXTRA=1"
    (tmp_path / ".env").write_text(existing, encoding="utf-8")
    (tmp_path / ".env").chmod(0o644)
    note = post.write_env(tmp_path)
    assert (
        note
        == "kept your values; added LOGTO_APP_SECRET, SECRET_KEY, APP_BASE_URL from .env.example"
    )
    text = (tmp_path / ".env").read_text(encoding="utf-8")
    assert text.startswith(existing + "\n\n# Added from .env.example\n")
    assert "# Signs the session cookie; generated for you.\nSECRET_KEY=" in text
    values = env_values(text)
    assert values["LOGTO_APP_ID"] == "my-id"
    assert values["LOGTO_ENDPOINT"] == "https://mine.logto.app"
    assert values["EXTRA"] == "1"
    assert values["LOGTO_APP_SECRET"] == ""
    assert len(values["SECRET_KEY"]) >= 32
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    assert post.write_env(tmp_path) is None, "a second re-run changes nothing"
    assert (tmp_path / ".env").read_text(encoding="utf-8") == text


def test_rerun_never_replaces_an_existing_secret_key(tmp_path):
    write_example(tmp_path)
    (tmp_path / ".env").write_text("SECRET_KEY=keep-me\n", encoding="utf-8")
    post.write_env(tmp_path)
    text = (tmp_path / ".env").read_text(encoding="utf-8")
    assert env_values(text)["SECRET_KEY"] == "keep-me"
    assert text.count("SECRET_KEY=") == 1


def test_rerun_keeps_an_existing_empty_secret_key(tmp_path):
    write_example(tmp_path)
    (tmp_path / ".env").write_text("SECRET_KEY=\n", encoding="utf-8")
    post.write_env(tmp_path)
    assert env_values((tmp_path / ".env").read_text(encoding="utf-8"))["SECRET_KEY"] == ""


def test_only_secret_keys_are_generated():
    text, added = post.build_env(
        "LOGTO_APP_SECRET=\nSECRET_KEY=\nSESSION_SECRET_KEY=''\nKEEP=\n", make_secret=lambda: "S"
    )
    assert text == "LOGTO_APP_SECRET=\nSECRET_KEY=S\nSESSION_SECRET_KEY=S\nKEEP=\n"
    assert added == ["LOGTO_APP_SECRET", "SECRET_KEY", "SESSION_SECRET_KEY", "KEEP"]


def test_a_filled_example_secret_is_copied_as_is():
    text, _ = post.build_env("SECRET_KEY=given\n", make_secret=lambda: "S")
    assert text == "SECRET_KEY=given\n"


def test_missing_example_is_an_error_only_without_env(tmp_path):
    with pytest.raises(post.HookError, match=r"\.env: cannot create it: \.env\.example is missing"):
        post.write_env(tmp_path)
    (tmp_path / ".env").write_text("A=1\n", encoding="utf-8")
    assert post.write_env(tmp_path) is None


def test_new_secret_is_url_safe_and_long():
    secret = post.new_secret()
    assert len(secret) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", secret)


# --- post_gen_project: next steps ---------------------------------------------------------


def test_next_steps_has_the_exact_values():
    answers = {
        **GOOD_ANSWERS,
        "app_base_url": "https://app.example.com:8443",
        "logto_endpoint": "https://acme.logto.app",
        "project_slug": "acme-portal",
        "package_name": "acme_portal",
    }
    text = post.next_steps(answers)
    lines = text.splitlines()
    assert '"Traditional web"' in text
    (redirect,) = [line for line in lines if "Redirect URI:  " in line and "sign-out" not in line]
    (sign_out,) = [line for line in lines if "Post sign-out redirect URI:" in line]
    assert redirect.split()[-1] == "https://app.example.com:8443/callback"
    assert sign_out.split()[-1] == "https://app.example.com:8443/"
    assert "then into acme-portal/.env: LOGTO_ENDPOINT (above)" in text
    assert "LOGTO_APP_ID=<App ID>" in text
    assert "LOGTO_APP_SECRET=<App secret>" in text
    assert "     cd acme-portal\n" in text
    assert 'pip install -e ".[dev]"' in text
    assert "python -m acme_portal    # dev server on https://app.example.com:8443" in text
    assert "Quickest: three values in acme-portal/.env, then `logto provision`" in text
    assert "`logto doctor` checks the setup" in text
    assert text.index("logto provision") < text.index('"Traditional web"')  # quickest first


@pytest.mark.parametrize(
    ("endpoint", "shown"),
    [
        ("https://your-tenant.logto.app", "https://<tenant-id>.logto.app"),
        ("https://acme.logto.app", "now https://acme.logto.app"),
    ],
)
def test_next_steps_quickest_path_names_its_three_values(endpoint, shown):
    """Each with where it is found before any app exists: the endpoint is the tenant's URL
    (no app has one yet), the M2M app is made with the Management API role."""
    text = post.next_steps({**GOOD_ANSWERS, "logto_endpoint": endpoint})
    quickest = text[text.index("Quickest: ") : text.index("Or by hand")]
    names = re.findall(r"^  (LOGTO_[A-Z_0-9]+)", quickest, re.M)
    assert names == ["LOGTO_ENDPOINT", "LOGTO_M2M_APP_ID", "LOGTO_M2M_APP_SECRET"]
    endpoint_lines = quickest[quickest.index("LOGTO_ENDPOINT") : quickest.index("LOGTO_M2M")]
    assert shown in endpoint_lines and "http://localhost:3001" in endpoint_lines
    assert "Settings > Domains" in endpoint_lines and "your app" not in endpoint_lines
    assert '"Machine-to-machine"' in quickest
    assert '"Logto Management API access" role' in quickest
    assert "your app" not in quickest


def test_next_steps_paths_relative_to_where_the_user_is(tmp_path):
    project = tmp_path / "out" / "logto-web-app"
    text = post.next_steps(GOOD_ANSWERS, project, tmp_path)
    assert f"into {project}/.env:" in text and f"values in {project}/.env, then" in text
    assert "cd out/logto-web-app\n" in text
    text = post.next_steps(GOOD_ANSWERS, project, tmp_path / "elsewhere")
    assert f"cd {project}\n" in text


def test_post_main_prints_next_steps_and_never_asks(tmp_path, capsys, monkeypatch):
    make_tree(tmp_path, FRAMEWORK_TREE)
    write_example(tmp_path)
    monkeypatch.setenv("PWD", str(tmp_path.parent))
    monkeypatch.setattr("sys.stdin", None)
    assert post.run(GOOD_ANSWERS, tmp_path) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "\033[" not in out, "no colours when stdout is not a terminal"
    assert f"cd {tmp_path.name}\n" in out
    assert ".env: created from .env.example" in out
    assert "http://localhost:3000/callback" in out
    assert post.run(GOOD_ANSWERS, tmp_path) == 0, "a re-run succeeds too"


def test_post_run_turns_errors_into_one_line(tmp_path, capsys):
    assert post.run(GOOD_ANSWERS, tmp_path) == 1
    _out, err = capsys.readouterr()
    assert err == (
        "error: .env: cannot create it: .env.example is missing"
        " — this is a template bug; please report it\n"
    )


def test_post_run_turns_unexpected_errors_into_one_line(tmp_path, capsys):
    write_example(tmp_path)
    assert post.run({}, tmp_path) == 1
    _out, err = capsys.readouterr()
    assert re.fullmatch(
        r"error: post_gen_project: unexpected KeyError: '\w+'"
        r" — this is a template bug; please report it\n",
        err,
    ), err


# --- post_gen_project: the answers, recorded for cruft ----------------------------------------

#: Git without the user's configuration (the tests make their own repositories).
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Template Tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "Template Tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_ALLOW_PROTOCOL": "file",
}
#: The template's questions in an order of their own (cookiecutter.json's is what cruft keeps).
QUESTIONS = {"project_name": "App", "web_framework": ["Flask", "Quart"], "_extensions": []}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_template(folder: Path, *, commit: bool = True) -> Path:
    """A template folder (its cookiecutter.json), committed to a new repository."""
    folder.mkdir(parents=True)
    (folder / "cookiecutter.json").write_text(json.dumps(QUESTIONS), encoding="utf-8")
    if commit:
        git(folder, "init", "-q", "-b", "main")
        git(folder, "add", "-A")
        git(folder, "commit", "-q", "-m", "Template")
    return folder


def run_answers(template: str, repo_dir: str, **more) -> dict:
    """The answers as cookiecutter hands them to the hook: sorted by name (Jinja's tojson),
    with what cookiecutter adds about the run."""
    answers = {
        **GOOD_ANSWERS,
        "_extensions": ["local_extensions.ServerPort"],
        "_template": template,
        "_output_dir": "/home/someone/projects",
        "_repo_dir": repo_dir,
        "_checkout": None,
        **more,
    }
    return dict(sorted(answers.items()))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def recorded(project: Path, name: str = ".cruft.json") -> dict:
    return json.loads((project / name).read_text(encoding="utf-8"))


def test_a_bake_from_a_git_template_records_what_cruft_create_would(tmp_path, project):
    template = make_template(tmp_path / "logto-python-starter")
    head = git(template, "rev-parse", "HEAD")
    answers = run_answers(str(template), str(template))

    line = post.record_answers(answers, project, cwd=tmp_path / "elsewhere")

    assert (
        line
        == f".cruft.json: this bake's answers and template commit {head[:12]}, for `cruft update`"
    )
    text = (project / ".cruft.json").read_text(encoding="utf-8")
    state = json.loads(text)
    assert state == {
        "template": str(template),
        "commit": head,
        "checkout": None,
        "context": {"cookiecutter": state["context"]["cookiecutter"]},
        "directory": None,
    }
    context = state["context"]["cookiecutter"]
    assert list(context)[:3] == [
        "project_name",
        "web_framework",
        "_extensions",
    ]  # the template's order
    assert list(context)[-2:] == ["_template", "_commit"]
    assert context == {
        **GOOD_ANSWERS,
        "_extensions": ["local_extensions.ServerPort"],
        "_template": str(template),
        "_commit": head,
    }, "nothing about the run (_output_dir, _repo_dir, _checkout)"
    assert text == json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"
    assert not (project / ".cruft-answers.json").exists()


def test_a_template_given_as_a_relative_path_is_found_from_where_cookiecutter_ran(
    tmp_path, project
):
    template = make_template(tmp_path / "work" / "starter")
    answers = run_answers("starter", "starter", _checkout="main")
    post.record_answers(answers, project, cwd=tmp_path / "work")
    state = recorded(project)
    assert (state["template"], state["checkout"]) == (str(template), "main")
    assert state["commit"] == git(template, "rev-parse", "HEAD")


def test_a_cloned_template_is_recorded_by_the_url_it_was_cloned_from(tmp_path, project):
    origin = make_template(tmp_path / "origin" / "logto-python-starter")
    clones = tmp_path / "cookiecutters"
    clones.mkdir()
    git(clones, "clone", "-q", str(origin))
    answers = run_answers("gh:org/logto-python-starter", str(clones / "logto-python-starter"))
    post.record_answers(answers, project, cwd=tmp_path)
    state = recorded(project)
    assert state["template"] == str(origin)  # `git remote get-url origin`, not the clone
    assert state["context"]["cookiecutter"]["_template"] == str(origin)
    assert state["commit"] == git(origin, "rev-parse", "HEAD")


def test_a_template_in_a_folder_of_its_repository_records_the_folder(tmp_path, project):
    repository = tmp_path / "templates"
    template = make_template(repository / "web" / "logto", commit=False)
    git(repository, "init", "-q", "-b", "main")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "Templates")
    post.record_answers(run_answers(str(template), str(template)), project, cwd=tmp_path)
    state = recorded(project)
    assert (state["template"], state["directory"]) == (str(repository), "web/logto")


def test_uncommitted_template_changes_are_named(tmp_path, project):
    template = make_template(tmp_path / "starter")
    (template / "hooks.py").write_text("changed\n", encoding="utf-8")
    line = post.record_answers(run_answers(str(template), str(template)), project, cwd=tmp_path)
    assert line.endswith("; the template had uncommitted changes, which count as your edits")
    assert recorded(project)["commit"] == git(template, "rev-parse", "HEAD")


@pytest.mark.parametrize("kind", ["not a repository", "no commit yet", "git missing"])
def test_without_a_commit_the_answers_go_to_a_file_cruft_does_not_read(
    kind, tmp_path, project, monkeypatch
):
    """A `.cruft.json` without a real commit would make `cruft check` call the project up to
    date; the answers are kept, with the commit for the owner to fill in."""
    template = make_template(tmp_path / "starter", commit=kind == "git missing")
    if kind == "no commit yet":
        git(template, "init", "-q", "-b", "main")
    if kind == "git missing":
        monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    answers = run_answers("starter.zip", str(template))
    line = post.record_answers(answers, project, cwd=tmp_path)
    assert line.startswith(".cruft-answers.json: this bake's answers; the template was no git")
    assert not (project / ".cruft.json").exists()
    state = recorded(project, ".cruft-answers.json")
    assert state["template"] == "starter.zip"
    assert state["commit"] == post.UNKNOWN_COMMIT
    assert state["context"]["cookiecutter"]["project_name"] == GOOD_ANSWERS["project_name"]


def test_nothing_is_recorded_when_cruft_renders(tmp_path, project):
    """cruft's context has no `_repo_dir`: `cruft create` writes `.cruft.json` itself after
    the hook, and the renders of `cruft update` and `cruft diff` must hold template files
    only."""
    template = make_template(tmp_path / "starter")
    answers = {**GOOD_ANSWERS, "_template": str(template), "_commit": "0" * 40}
    assert post.record_answers(answers, project, cwd=tmp_path) is None
    assert list(project.iterdir()) == []


@pytest.mark.parametrize("text", [*HOSTILE_TEXT, "new\\nline \\u2028 {braces} }}{{"])
def test_hostile_answers_are_recorded_as_data(text, tmp_path, project):
    template = make_template(tmp_path / "starter")
    answers = run_answers(str(template), str(template), project_name=text, description=text)
    post.record_answers(answers, project, cwd=tmp_path)
    context = recorded(project)["context"]["cookiecutter"]
    assert (context["project_name"], context["description"]) == (text, text)


# --- post_gen_project: uv.lock ---------------------------------------------------------------

LOCK = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "click"
version = "8.5.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "logto-web-app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "click" },
]

[package.metadata]
requires-dist = [{ name = "click", specifier = ">=8.1" }]
"""


REQUIREMENTS_LOCK = """\
click==8.5.1 \\
    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
    # via logto-web-app
colorama==0.4.6 ; sys_platform == 'win32' \\
    --hash=sha256:1111111111111111111111111111111111111111111111111111111111111111
    # via
    #   click
    #   logto-web-app
"""


def write_lock_project(folder: Path, name: str, lock: str = LOCK) -> None:
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n', encoding="utf-8")
    (folder / "uv.lock").write_text(lock, encoding="utf-8")
    (folder / "requirements-lock.txt").write_text(REQUIREMENTS_LOCK, encoding="utf-8")


@pytest.mark.parametrize(
    "name, locked", [("shop-front", "shop-front"), ("Shop_Front.2", "shop-front-2")]
)
def test_the_lock_names_the_project_as_pyproject_does(name, locked, project):
    write_lock_project(project, name)
    assert post.name_lock_project(project) is True
    lock = tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    assert [package["name"] for package in lock["package"]] == ["click", locked]
    assert (project / "uv.lock").read_text(encoding="utf-8") == LOCK.replace(
        'name = "logto-web-app"', f'name = "{locked}"'
    )
    requirements = (project / "requirements-lock.txt").read_text(encoding="utf-8")
    assert requirements == REQUIREMENTS_LOCK.replace("logto-web-app", locked)
    assert post.name_lock_project(project) is True, "a re-run changes nothing"
    assert lock == tomllib.loads((project / "uv.lock").read_text(encoding="utf-8"))
    assert (project / "requirements-lock.txt").read_text(encoding="utf-8") == requirements


def test_a_dependency_with_the_template_projects_name_keeps_it(project):
    """Only the entry whose source is the project folder is the project."""
    lock = LOCK.replace('name = "click"', 'name = "logto-web-app"', 1)
    write_lock_project(project, "shop", lock)
    post.name_lock_project(project)
    names = [p["name"] for p in tomllib.loads((project / "uv.lock").read_text())["package"]]
    assert names == ["logto-web-app", "shop"]


def test_a_project_without_a_lock_is_left_alone(project):
    (project / "pyproject.toml").write_text('[project]\nname = "shop"\n', encoding="utf-8")
    assert post.name_lock_project(project) is False
    assert not (project / "uv.lock").exists()


@pytest.mark.parametrize(
    "lock",
    [
        LOCK.replace('source = { editable = "." }', "source = {}"),
        LOCK + LOCK[LOCK.index('[[package]]\nname = "logto') :],
    ],
)
def test_a_lock_without_one_project_entry_is_a_template_bug(lock, project):
    write_lock_project(project, "shop", lock)
    with pytest.raises(post.HookError) as info:
        post.name_lock_project(project)
    assert info.value.line().startswith("error: uv.lock: has ")
    assert info.value.line().endswith("this is a template bug; please report it")


# --- the rendered hook scripts, run as cookiecutter runs them -----------------------------


def render_hook(name: str, answers: dict, directory: Path) -> Path:
    """Render a hook the way cookiecutter does (same Jinja environment) into a file."""
    context = {"cookiecutter": answers}
    env = StrictEnvironment(context=context, keep_trailing_newline=True)
    source = (HOOKS_DIR / f"{name}.py").read_text(encoding="utf-8")
    script = directory / f"{name}.py"
    script.write_text(env.from_string(source).render(**context), encoding="utf-8")
    return script


def run_script(script: Path, cwd: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "ascii", **env},
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


FULL_CONTEXT = {
    **GOOD_ANSWERS,
    "_template": ".",
    "_output_dir": "/tmp/out",
    "_repo_dir": ".",
    "_checkout": None,
    "_copy_without_render": ["*/templates/*.html", "*/static/*"],
    "__prompts__": {"web_framework": {"__prompt__": "Web framework", "Flask": "Flask"}},
}


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_rendered_pre_hook_reads_hostile_answers_as_data(tmp_path, text):
    marker = tmp_path / "MARKER"
    text = text.replace("MARKER", str(marker))
    answers = {**FULL_CONTEXT, "project_name": text, "description": text, "author_name": text}
    script = render_hook("pre_gen_project", answers, tmp_path)
    result = run_script(script, tmp_path)
    assert (result.returncode, result.stderr) == (0, b"")
    assert not marker.exists()


def test_rendered_pre_hook_reports_bad_answers_on_a_non_utf8_pipe(tmp_path):
    answers = {**FULL_CONTEXT, "project_name": "สวัสดี\n🎉", "project_slug": "x y"}
    script = render_hook("pre_gen_project", answers, tmp_path)
    result = run_script(script, tmp_path)
    assert result.returncode == 1
    assert result.stdout == b""
    lines = result.stderr.decode("ascii").splitlines()
    name_error = (
        "error: project_name: contains the control character U+000A at position 7"
        " ? it must be one line of text: remove line breaks, tabs and control characters"
    )
    slug_error = (
        "error: project_slug: 'x y' is not a valid folder and distribution name"
        " ? use lowercase ASCII letters and digits in words joined by single dashes,"
        " starting with a letter, e.g. my-logto-app"
    )
    assert lines == [name_error, slug_error]


def test_rendered_post_hook_runs_in_the_project(tmp_path):
    project = tmp_path / "logto-web-app"
    make_tree(project, FRAMEWORK_TREE)
    write_example(project)
    answers = {**FULL_CONTEXT, "project_name": "สวัสดี 🎉 \"'\\", "web_framework": "Quart"}
    script = render_hook("post_gen_project", answers, tmp_path)
    result = run_script(script, project, PWD=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = result.stdout.decode("ascii")
    assert out.startswith("Created ?????? ? \"'\\ (Quart). Next steps:")
    assert "     cd logto-web-app\n" in out
    assert tree(project)["src/pkg/app.py"] == "quart app"
    # No template folder where `_repo_dir` says (PWD has no cookiecutter.json): the answers
    # go to the file for a template without a commit, as data.
    assert "  .cruft-answers.json: this bake's answers;" in out
    state = json.loads((project / ".cruft-answers.json").read_text(encoding="utf-8"))
    assert state["context"]["cookiecutter"]["project_name"] == answers["project_name"]
    secret = env_values((project / ".env").read_text(encoding="utf-8"))["SECRET_KEY"]
    again = run_script(script, project, PWD=str(tmp_path))
    assert again.returncode == 0
    assert env_values((project / ".env").read_text(encoding="utf-8"))["SECRET_KEY"] == secret


def test_tojson_of_a_full_context_round_trips(tmp_path):
    env = StrictEnvironment(context={"cookiecutter": FULL_CONTEXT})
    rendered = env.from_string("{{ cookiecutter | tojson }}").render(cookiecutter=FULL_CONTEXT)
    assert json.loads(rendered) == FULL_CONTEXT


def test_rendered_post_hook_survives_a_closed_stdout(tmp_path):
    """``cookiecutter ... | head -1`` must not make the hook fail (and the project vanish)."""
    project = tmp_path / "logto-web-app"
    make_tree(project, FRAMEWORK_TREE)
    write_example(project)
    script = render_hook("post_gen_project", FULL_CONTEXT, tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=project,
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, b"")
    assert (project / ".env").is_file()


def test_next_steps_for_connectors_give_exact_values_on_one_screen():
    answers = {**GOOD_ANSWERS, "use_twilio": True, "use_patreon": True}
    answers |= {"session_backend": "redis", "use_backchannel_logout": True}
    answers |= {"api_resource": "https://api.acme.example", "use_organizations": True}
    answers["logto_endpoint"] = "https://acme.logto.app"
    text = post.next_steps(answers)  # paths shown relative: the width is the text's own
    assert "Redirect URI https://acme.logto.app/callback/patreon" in text
    assert "the Callback URI\n   on the connector's page in Logto Console" in text
    assert "TWILIO_MESSAGING_SERVICE_SID (MG...," in text and "not a phone number" in text
    assert "`logto connectors` prints the connector's" in text  # not the JSON itself
    assert "{" not in text
    assert "`logto provision` creates the API resource" in text
    assert "Back-channel logout URI:     http://localhost:3000/backchannel-logout" in text
    assert "creates the API resource https://api.acme.example," in text
    # The fullest bake's output, with the hook's `.env` line, fits a screen (Redis's included).
    assert len(text.splitlines()) + 1 <= 31
    assert max(len(line) for line in text.splitlines()) <= 92


@pytest.mark.parametrize(
    ("backend", "database_url", "server"),
    [
        ("redis", None, "redis-server --daemonize yes --save ''"),
        ("sqlalchemy", "postgresql://app:secret@localhost:5432/app", "systemctl start postgresql"),
        ("sqlalchemy", "sqlite:///instance/sessions.sqlite3", None),  # the default: a file
        ("filesystem", None, None),
        ("cookie", None, None),
    ],
)
def test_next_steps_name_the_store_server_to_start_first(tmp_path, backend, database_url, server):
    """A backend whose store is a server says which to start, with the command, before the
    app's own line; PostgreSQL only when `.env` names it."""
    if database_url is not None:
        (tmp_path / ".env").write_text(f"DATABASE_URL={database_url}\n", encoding="utf-8")
    lines = post.next_steps({**GOOD_ANSWERS, "session_backend": backend}, tmp_path).splitlines()
    started = [index for index, line in enumerate(lines) if "sessions live in" in line]
    if server is None:
        assert started == []
        return
    (index,) = started
    assert lines[index].split("#")[0].strip().endswith(server)
    assert lines[index + 1].strip().startswith("python -m ")


def test_next_steps_without_connectors_mention_none():
    text = post.next_steps(GOOD_ANSWERS)
    assert "Twilio" not in text and "Patreon" not in text
    assert "then `logto provision` sets up Logto" in text


@pytest.mark.parametrize("framework", ["Flask", "Quart", "FastAPI"])
def test_next_steps_name_the_logto_console_script_whatever_the_framework(framework):
    """`logto provision`, `logto doctor`, `logto connectors`: the project's console script,
    spelled the same in every bake (the framework's CLI group is the README's aside)."""
    answers = {**GOOD_ANSWERS, "web_framework": framework, "use_twilio": True}
    answers |= {"api_resource": "https://api.acme.example"}
    text = post.next_steps(answers)
    commands = re.findall(r"`([^`]*logto [a-z]+)`", text)
    assert sorted(set(commands)) == ["logto connectors", "logto doctor", "logto provision"]
    assert f"{framework.lower()} logto" not in text

"""The development server's first run: with the `.env` a bake starts with, every page is a
setup page naming every setting that needs a value and the `logto provision` path; once the
settings are complete, the same factory gives the app. `--help`, `routes` and `doctor` work
without settings (the CLI loads `create_dev_app`)."""

from __future__ import annotations

import html
import os
import re
from functools import partial
from pathlib import Path

import pytest

from logto_kit.connectors import CHOSEN
from logto_kit.settings import PROJECT_ROOT, SettingsError, load_settings
from logto_kit.web import setup_page

from {{ cookiecutter.package_name }} import app as app_module
from {{ cookiecutter.package_name }} import create_dev_app

from .page_client import PageClient
from .session_store import store_env
from .test_logto_cli import OUR_PREFIXES, fixes, placeholders, reachable_store, run, write_env

__all__ = ["reachable_store"]  # the CLI tests' fixture: `.env` names a store that answers

PLACEHOLDERS = {
    "LOGTO_ENDPOINT": "https://your-tenant.logto.app",
    "LOGTO_APP_ID": "your-app-id",
    "LOGTO_APP_SECRET": "your-app-secret",
}
SOUND = {
    "LOGTO_ENDPOINT": "http://127.0.0.1:9",  # nothing listens: the app starts anyway
    "LOGTO_APP_ID": "app-id-from-console",
    "LOGTO_APP_SECRET": "secret-from-console",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The environment the app reads (it wins over .env), as a freshly baked `.env` has it."""
    values = {
        **PLACEHOLDERS,
        "APP_BASE_URL": "http://localhost:3000",
        "SECRET_KEY": "Vq3-k9ZpX2r_Lm8Tn4Wb7Yc1Hd6Jf0Gs5Ae",
        **store_env(tmp_path),  # where sessions live, well-formed
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_every_bad_setting_is_named_in_one_error(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert [problem.split(" ", 1)[0] for problem in caught.value.problems] == list(PLACEHOLDERS)
    message = str(caught.value)
    assert message.startswith("3 settings need fixing: LOGTO_ENDPOINT ")
    assert "\n" not in message


@pytest.mark.parametrize("path", ["/", "/profile", "/callback?code=x&state=y", "/no-such-page"])
def test_every_page_is_the_setup_page(env: dict[str, str], path: str) -> None:
    client = PageClient(create_dev_app())
    try:
        page = client.get(path)
    finally:
        client.close()
    assert page.status == 503
    assert page.headers["cache-control"] == "no-store"
    for name in PLACEHOLDERS:
        assert f"<li>{name} is still the placeholder" in page.text
    assert "Logto Console &gt; Applications &gt; your app &gt; App ID" in page.text
    assert "<code>logto provision</code>" in page.text  # the console script, any framework


def test_the_setup_page_shows_no_password_and_no_absolute_path(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anyone who reaches the development server sees this page: a URL's password is masked,
    `.env` is named as the project's, not where the project lives."""
    password = "hunter2-not-for-pages"
    monkeypatch.setenv("LOGTO_ENDPOINT", f"https://app:{password}@tenant.logto.app")
    monkeypatch.setenv("APP_BASE_URL", f"https://app:{password}@your-tenant.example")
    client = PageClient(create_dev_app())
    try:
        page = client.get("/")
    finally:
        client.close()
    assert page.status == 503
    assert "<li>LOGTO_ENDPOINT=&#39;https://app:***@tenant.logto.app&#39; must not contain" in (
        page.text
    )
    assert "<li>APP_BASE_URL is still the placeholder &#39;https://app:***@your-" in page.text
    assert password not in page.text
    assert "<code>.env</code> need a value" in page.text
    assert str(PROJECT_ROOT) not in page.text


def test_the_quickest_path_names_the_three_values_it_needs(env: dict[str, str]) -> None:
    """Where each is found before any app exists: the endpoint is the tenant's, not an
    app's; the M2M app is made in the Console with the Management API role."""
    page = PageClient(create_dev_app())
    try:
        text = page.get("/").text
    finally:
        page.close()
    quickest = text[text.index('data-testid="quickest-path"') :]
    quickest = quickest[: quickest.index("</ul>")]
    items = [
        (name, html.unescape(where))
        for name, where in re.findall(r"<li><code>([A-Z_0-9]+)</code>: ([^<]+)</li>", quickest)
    ]
    assert [name for name, _ in items] == [
        "LOGTO_ENDPOINT",
        "LOGTO_M2M_APP_ID",
        "LOGTO_M2M_APP_SECRET",
    ]
    where = dict(items)
    assert "http://localhost:3001" in where["LOGTO_ENDPOINT"]
    assert "your app" not in where["LOGTO_ENDPOINT"]
    for name in ("LOGTO_M2M_APP_ID", "LOGTO_M2M_APP_SECRET"):
        assert '"Machine-to-machine"' in where[name]
        assert '"Logto Management API access" role' in where[name]


def test_the_page_doctor_and_provision_name_the_same_values(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A new project's `.env`, with every chosen connector's placeholders and a setting
    missing: the page lists each value once (the connectors' apart), `doctor` has a `fix:`
    line for each of them and nothing else, and `provision` names the same ones, less those it
    writes itself and plus the M2M app it needs."""
    for name in list(os.environ):
        if name.startswith(OUR_PREFIXES):
            monkeypatch.delenv(name)
    env_file = write_env(
        tmp_path / ".env",
        PLACEHOLDERS["LOGTO_ENDPOINT"],
        **placeholders(),
        SECRET_KEY="",
        LOGTO_M2M_APP_ID="",
        LOGTO_M2M_APP_SECRET="",
    )
    monkeypatch.setattr(setup_page, "ENV_FILE", env_file)  # the page reads this `.env`
    monkeypatch.setattr(setup_page, "PROJECT_ROOT", tmp_path)
    # ... and so does the app (not the project's own `.env`, which may be complete)
    monkeypatch.setattr(app_module, "load_settings", partial(load_settings, dotenv_path=env_file))
    page = PageClient(create_dev_app())
    try:
        text = page.get("/").text
    finally:
        page.close()
    items = re.findall(r"<li>([A-Z][A-Z_0-9]+[ =][^<]*)</li>", text)
    listed = [html.unescape(item) for item in items]
    doctor = run(env_file, "doctor")
    assert [line.removeprefix("fix: ") for line in fixes(doctor)] == listed
    named = [problem.split(" ", 1)[0] for problem in listed]
    connectors = [name for connector in CHOSEN for name in connector.missing(placeholders())]
    app = ["LOGTO_ENDPOINT", "LOGTO_APP_ID", "LOGTO_APP_SECRET", "SECRET_KEY"]
    assert named == [*app, *connectors]
    provision = [line.removeprefix("fix: ") for line in fixes(run(env_file, "provision"))]
    m2m = [line for line in provision if line.startswith("LOGTO_M2M_APP_")]
    written = [line for line in listed if line.startswith(("LOGTO_APP_ID ", "LOGTO_APP_SECRET "))]
    assert len(m2m) == 2 and len(written) == 2
    assert sorted(provision) == sorted(set(listed) - set(written) | set(m2m))


def test_the_setup_page_has_its_stylesheet(env: dict[str, str]) -> None:
    client = PageClient(create_dev_app())
    try:
        assert client.get("/static/style.css").status == 200
    finally:
        client.close()


def test_the_page_follows_edits_to_the_settings(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = PageClient(create_dev_app())
    try:
        monkeypatch.setenv("LOGTO_APP_ID", SOUND["LOGTO_APP_ID"])
        page = client.get("/")
        assert "LOGTO_APP_ID" not in page.text and "LOGTO_APP_SECRET" in page.text
        for name, value in SOUND.items():
            monkeypatch.setenv(name, value)
        assert 'data-testid="setup-complete"' in client.get("/").text
    finally:
        client.close()


def test_complete_settings_give_the_app(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SOUND.items():
        monkeypatch.setenv(name, value)
    client = PageClient(create_dev_app())
    try:
        home = client.get("/")
        assert home.status == 200 and "Welcome" in home.text
    finally:
        client.close()


@pytest.mark.parametrize(
    ("app_base_url", "address"),
    [
        ("http://localhost:3000", ("localhost", 3000, True)),
        ("http://127.0.0.1:8080/", ("127.0.0.1", 8080, True)),
        ("https://app.example.com", ("127.0.0.1", 443, False)),  # no debugger off loopback
        ("not a url", ("127.0.0.1", 8000, True)),
    ],
)
def test_the_dev_server_debugs_only_on_loopback(
    monkeypatch: pytest.MonkeyPatch, app_base_url: str, address: tuple[str, int, bool]
) -> None:
    monkeypatch.setenv("APP_BASE_URL", app_base_url)
    assert setup_page.dev_server_address() == address

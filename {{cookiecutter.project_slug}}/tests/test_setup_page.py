"""The development server's first run: with the `.env` a bake starts with, every page is a
setup page naming every setting that needs a value and the `logto provision` path; once the
settings are complete, the same factory gives the app. `--help`, `routes` and `doctor` work
without settings (the CLI loads `create_dev_app`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logto_kit.about import WEB_FRAMEWORK
from logto_kit.settings import PROJECT_ROOT, SettingsError, load_settings
from logto_kit.web import setup_page

from {{ cookiecutter.package_name }} import create_dev_app

from .page_client import PageClient
from .session_store import store_env

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
    assert f"{WEB_FRAMEWORK.lower()} logto provision" in page.text


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

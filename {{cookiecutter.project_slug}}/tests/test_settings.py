"""Settings come from the environment and `.env`; a bad value stops the app with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from logto_kit.about import PROTECTED_API
from logto_kit.settings import (
    DEFAULT_MAX_REQUEST_BYTES,
    MIN_REQUEST_BYTES,
    PROJECT_ROOT,
    Settings,
    SettingsError,
    load_settings,
)

from .session_store import store_env

GOOD = {
    "LOGTO_ENDPOINT": "https://tenant.logto.app",
    "LOGTO_APP_ID": "app-id-123",
    "LOGTO_APP_SECRET": "app-secret-456",
    "SECRET_KEY": "Vq3-k9ZpX2r_Lm8Tn4Wb7Yc1Hd6Jf0Gs5Ae",
    "APP_BASE_URL": "http://localhost:3000",
    "LOGTO_API_RESOURCE": "https://api.test.example",  # read by projects with an API
    **store_env(Path("instance")),  # where sessions live: its own tests check its values
}
REQUIRED = [name for name in GOOD if PROTECTED_API or name != "LOGTO_API_RESOURCE"]
PASSWORD = "hunter2-not-for-logs"


def load(**changes: str | None) -> Settings:
    environ = {key: value for key, value in {**GOOD, **changes}.items() if value is not None}
    return load_settings(environ, dotenv_path=None)


def test_good_settings_and_derived_uris() -> None:
    settings = load_settings(GOOD, dotenv_path=None)
    assert settings.logto_endpoint == "https://tenant.logto.app"
    assert settings.redirect_uri == "http://localhost:3000/callback"
    assert settings.post_sign_out_redirect_uri == "http://localhost:3000/"
    assert not settings.uses_https


def test_log_level_defaults_to_info_and_must_be_a_level() -> None:
    assert load().log_level == "INFO"
    assert load(LOG_LEVEL=" debug ").log_level == "DEBUG"
    with pytest.raises(SettingsError) as refused:
        load(LOG_LEVEL="loud")
    assert refused.value.problems == [
        "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got 'LOUD')"
    ]


def test_trailing_slash_is_forgiven() -> None:
    settings = load_settings({**GOOD, "APP_BASE_URL": "https://app.example.com/"}, None)
    assert settings.app_base_url == "https://app.example.com"
    assert settings.uses_https


@pytest.mark.parametrize("name", sorted(REQUIRED))
@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_value_names_the_variable_and_where_to_find_it(
    name: str, value: str | None
) -> None:
    with pytest.raises(SettingsError) as caught:
        load(**{name: value})
    message = str(caught.value)
    assert message.startswith(f"{name} is not set")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOGTO_APP_ID", "your-app-id"),
        ("LOGTO_APP_SECRET", "your-app-secret"),
        ("LOGTO_ENDPOINT", "https://your-tenant.logto.app"),
    ],
)
def test_placeholder_value_is_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} is still the placeholder"):
        load(**{name: value})


@pytest.mark.parametrize("name", ["LOGTO_APP_ID", "LOGTO_APP_SECRET"])
def test_console_location_is_named(name: str) -> None:
    with pytest.raises(SettingsError, match="Logto Console > Applications"):
        load(**{name: ""})


def test_short_secret_key_is_refused() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY is too short"):
        load(SECRET_KEY="short")


@pytest.mark.parametrize(
    "url",
    [
        "tenant.logto.app",
        "ftp://tenant.logto.app",
        "http://tenant.logto.app",
        "https://tenant.logto.app/oidc",
        "https://tenant.logto.app?x=1",
        "https://tenant.logto.app#x",
        "https://user:pass@tenant.logto.app",
        "https://tenant.logto.app:99999",
        "https://",
    ],
)
@pytest.mark.parametrize("name", ["LOGTO_ENDPOINT", "APP_BASE_URL"])
def test_malformed_urls_are_refused(name: str, url: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name}="):
        load(**{name: url})


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{PASSWORD}@tenant.logto.app",
        f"https://:{PASSWORD}@tenant.logto.app/oidc",
        f"http://user:{PASSWORD}@tenant.logto.app",
        f"https://user:{PASSWORD}@your-tenant.logto.app",  # a placeholder, as a fresh .env
    ],
)
@pytest.mark.parametrize("name", ["LOGTO_ENDPOINT", "APP_BASE_URL"])
def test_a_url_with_a_password_is_refused_without_showing_it(name: str, url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load(**{name: url})
    message = str(refused.value)
    assert PASSWORD not in message
    assert message.startswith(f"{name}=") or message.startswith(f"{name} is still the placeholder")
    assert ":***@" in message
    assert "\n" not in message


def test_the_start_error_shows_no_password() -> None:
    """gunicorn's settings check (gunicorn_conf.py), one line and status 3, masks the URL."""
    environ = {**os.environ, **GOOD, "LOGTO_ENDPOINT": f"https://app:{PASSWORD}@tenant.logto.app"}
    result = subprocess.run(
        [sys.executable, "-c", "import logto_kit.web.gunicorn_conf"],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "error: LOGTO_ENDPOINT='https://app:***@tenant.logto.app' must not contain a user name "
        "or password: set your Logto tenant's URL (https://<tenant-id>.logto.app for Logto "
        "Cloud, shown in Logto Console > Settings > Domains; http://localhost:3001 for a local "
        "Logto)"
    ]


def test_max_request_bytes_defaults_to_1_mib_and_must_be_a_size() -> None:
    assert load().max_request_bytes == DEFAULT_MAX_REQUEST_BYTES == 1024 * 1024
    assert load(MAX_REQUEST_BYTES=" 65536 ").max_request_bytes == 65536
    for bad in ("1M", "-1", "1e6", "12.5", str(MIN_REQUEST_BYTES - 1)):
        with pytest.raises(SettingsError) as refused:
            load(MAX_REQUEST_BYTES=bad)
        assert refused.value.problems == [
            f"MAX_REQUEST_BYTES must be a whole number of bytes, at least {MIN_REQUEST_BYTES} "
            f"(got {bad!r}): the largest request body the app reads, e.g. 1048576 (1 MiB, "
            "the default)"
        ]


@pytest.mark.parametrize(
    "url", ["http://localhost:3001", "http://127.0.0.1:8080", "http://[::1]:3000"]
)
def test_plain_http_is_fine_for_local_hosts(url: str) -> None:
    assert load_settings({**GOOD, "LOGTO_ENDPOINT": url}, None).logto_endpoint == url


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("\n".join(f"{key}={value}" for key, value in GOOD.items()))
    assert load_settings({}, dotenv).logto_app_id == "app-id-123"
    assert load_settings({"LOGTO_APP_ID": "from-env"}, dotenv).logto_app_id == "from-env"


def test_fresh_project_stops_at_start_with_one_line() -> None:
    """A server start with the App ID placeholder (as in a fresh `.env`) fails in one line."""
    environ = {**os.environ, **GOOD, "LOGTO_APP_ID": "your-app-id"}
    result = subprocess.run(
        [sys.executable, "-c", "from {{ cookiecutter.package_name }} import create_app; create_app()"],
        cwd=PROJECT_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "error: LOGTO_APP_ID is still the placeholder 'your-app-id': run "
        "`logto provision` (it creates the app and writes this), or "
        "copy it from Logto Console > Applications > your app > App ID"
    ]

"""REDIS_URL is read with the other settings and must be a Redis URL; an unreachable Redis at
start is one warning line naming REDIS_URL (password masked): the app starts anyway and answers
503 until Redis answers (test_store_outage.py), and `/readyz` says so (password masked)."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from logto_kit.settings import Settings, SettingsError, load_settings

from {{ cookiecutter.package_name }} import create_app

from .page_client import PageClient
from .servers import free_port
from .test_settings import GOOD


@pytest.mark.parametrize("url", ["redis://localhost:6379/0", "rediss://cache.example:6380/1"])
def test_redis_url(url: str) -> None:
    assert load_settings({**GOOD, "REDIS_URL": url}, None).redis_url == url


@pytest.mark.parametrize("url", ["http://localhost:6379", "localhost:6379", "redis://"])
def test_bad_redis_url(url: str) -> None:
    with pytest.raises(SettingsError, match=r"^REDIS_URL=.* must start with redis://"):
        load_settings({**GOOD, "REDIS_URL": url}, None)


def test_a_bad_redis_url_is_refused_without_its_password() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({**GOOD, "REDIS_URL": "http://:hunter2secret@localhost:6379/0"}, None)
    assert str(refused.value) == (
        "REDIS_URL='http://:***@localhost:6379/0' must start with redis://, rediss:// or "
        "unix://: set the Redis server's URL, e.g. redis://localhost:6379/0"
    )


def start_warnings(settings: Settings, caplog: pytest.LogCaptureFixture) -> list[str]:
    with caplog.at_level(logging.WARNING):
        create_app(settings)
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


def test_unreachable_redis_is_named(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    (line,) = start_warnings(dataclasses.replace(settings, redis_url=url), caplog)
    assert line.startswith(f"cannot reach Redis at {url} (REDIS_URL):")
    assert "start it (redis-server) or set REDIS_URL" in line
    assert "\n" not in line


def test_password_is_masked(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://:hunter2secret@127.0.0.1:{free_port()}/0"
    (line,) = start_warnings(dataclasses.replace(settings, redis_url=url), caplog)
    assert "hunter2secret" not in line and ":***@" in line


def test_readyz_names_redis_with_its_password_masked(settings: Settings) -> None:
    url = f"redis://:hunter2secret@127.0.0.1:{free_port()}/0"
    client = PageClient(create_app(dataclasses.replace(settings, redis_url=url)))
    try:
        page = client.get("/readyz")
    finally:
        client.close()
    assert page.status == 503
    assert page.text.startswith("not ready: cannot reach Redis at redis://:***@127.0.0.1:")
    assert "hunter2secret" not in page.text and page.text.count("\n") == 1

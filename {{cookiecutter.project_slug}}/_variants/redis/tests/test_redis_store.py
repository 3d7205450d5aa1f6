"""An unreachable Redis stops the app at start with one line naming REDIS_URL."""

from __future__ import annotations

import dataclasses

import pytest

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.settings import Settings, SettingsError

from .servers import free_port


def test_unreachable_redis_is_named(settings: Settings) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(SettingsError) as caught:
        create_app(dataclasses.replace(settings, redis_url=url))
    message = str(caught.value)
    assert message.startswith(f"cannot reach Redis at {url} (REDIS_URL):")
    assert "\n" not in message


def test_password_is_masked(settings: Settings) -> None:
    url = f"redis://:hunter2secret@127.0.0.1:{free_port()}/0"
    with pytest.raises(SettingsError) as caught:
        create_app(dataclasses.replace(settings, redis_url=url))
    assert "hunter2secret" not in str(caught.value)

"""An unreachable database stops the app at start with one line naming DATABASE_URL."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.settings import Settings, SettingsError


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_postgres_is_named_with_password_masked(settings: Settings) -> None:
    url = f"postgresql+psycopg://app:hunter2secret@127.0.0.1:{closed_port()}/app"
    with pytest.raises(SettingsError) as caught:
        create_app(dataclasses.replace(settings, database_url=url))
    message = str(caught.value)
    assert message.startswith("cannot reach the database at postgresql+psycopg://app:***@")
    assert "(DATABASE_URL)" in message
    assert "hunter2secret" not in message
    assert "\n" not in message

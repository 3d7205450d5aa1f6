"""A session directory that cannot be written stops the app with one line naming SESSION_DIR."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.settings import Settings, SettingsError


def test_unusable_session_dir_is_named(settings: Settings, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(SettingsError) as caught:
        create_app(dataclasses.replace(settings, session_dir=blocker / "sessions"))
    message = str(caught.value)
    assert "SESSION_DIR" in message and str(blocker) in message
    assert "\n" not in message

"""SESSION_DIR is read with the other settings (a relative folder is the project's); a session
folder that cannot be used at start is one warning line naming SESSION_DIR (the app starts
anyway, test_store_outage.py); a folder deleted while serving is made again."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path

import pytest

from logto_kit.settings import PROJECT_ROOT, Settings, load_settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient
from .test_settings import GOOD


def test_session_dir_relative_to_the_project() -> None:
    relative = load_settings({**GOOD, "SESSION_DIR": "instance/s"}, None)
    assert relative.session_dir == PROJECT_ROOT / "instance/s"
    absolute = load_settings({**GOOD, "SESSION_DIR": "/srv/s"}, None)
    assert absolute.session_dir == Path("/srv/s")


def test_unusable_session_dir_is_named(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        create_app(dataclasses.replace(settings, session_dir=blocker / "sessions"))
    (message,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "SESSION_DIR" in message and str(blocker) in message
    assert "\n" not in message


def test_a_deleted_session_folder_is_made_again(
    client: PageClient, logto: FakeLogto, session_dir: Path
) -> None:
    sign_in(client, logto)
    shutil.rmtree(session_dir)
    assert client.get("/").status == 200  # the session is gone with its file: signed out
    assert sign_in(client, logto).status == 302  # saved: the folder is back
    assert "Alice Example" in client.get("/").text
    assert session_dir.is_dir()

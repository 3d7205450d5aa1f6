"""How the suite finds a real Logto (LOGTO_TEST_INSTANCE): without it, or with a wrong value,
the real-Logto tests fail naming what to provide; they never skip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.real_logto import SETTING, logto_instance


@pytest.mark.parametrize("value", ["", "/no/such/place", "not-json"])
def test_missing_or_wrong_setting_fails_naming_what_to_provide(
    value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if value == "not-json":
        value = str(tmp_path / "logto.json")
        Path(value).write_text("{", encoding="utf-8")
    monkeypatch.setenv(SETTING, value)
    with pytest.raises(pytest.fail.Exception) as failed, logto_instance():
        pass
    message = str(failed.value)
    assert SETTING in message
    assert "start-logto" in message and "m2m_app_id" in message


def test_a_running_logto_is_described_by_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    described = {
        "endpoint": "http://localhost:3001/",
        "m2m_app_id": "m2m",
        "m2m_app_secret": "secret",
        "management_api_resource": "https://tenant.example/api",
    }
    (tmp_path / "logto.json").write_text(json.dumps(described), encoding="utf-8")
    monkeypatch.setenv(SETTING, str(tmp_path / "logto.json"))
    with logto_instance() as instance:
        assert (instance.endpoint, instance.resource) == (
            "http://localhost:3001",
            "https://tenant.example/api",
        )
        assert instance.started is None  # not ours to stop

"""The SDK's storage adapter keeps its values in the session under `logto.` keys."""

from __future__ import annotations

from typing import Any

from logto_kit.auth.session_storage import SessionStorage


def test_values_round_trip_under_a_prefix() -> None:
    session: dict[str, Any] = {"app.other": "kept"}
    storage = SessionStorage(session)
    storage.set("idToken", "token-value")
    assert storage.get("idToken") == "token-value"
    assert session == {"app.other": "kept", "logto.idToken": "token-value"}


def test_missing_and_foreign_values_read_as_none() -> None:
    session: dict[str, Any] = {"logto.refreshToken": 42}
    storage = SessionStorage(session)
    assert storage.get("idToken") is None
    assert storage.get("refreshToken") is None


def test_setting_none_and_deleting_remove_the_key() -> None:
    session: dict[str, Any] = {}
    storage = SessionStorage(session)
    storage.set("signInSession", "{}")
    storage.set("signInSession", None)
    assert session == {}
    storage.set("idToken", "x")
    storage.delete("idToken")
    storage.delete("idToken")  # deleting twice is fine
    assert session == {}

"""LOGTO_API_RESOURCE: required in a project with an API, an http(s) URI (RFC 8707)."""

from __future__ import annotations

import pytest

from logto_kit.settings import SettingsError, load_settings

from .test_settings import GOOD


@pytest.mark.parametrize(
    "bad", ["api.example.com", "urn:x:y", "https://api.example.com#part", "ftp://api.example"]
)
def test_the_api_resource_must_be_an_http_uri(bad: str) -> None:
    with pytest.raises(SettingsError, match=r"^LOGTO_API_RESOURCE=.* is not an http\(s\) URI"):
        load_settings({**GOOD, "LOGTO_API_RESOURCE": bad}, None)


def test_the_api_resource_is_read() -> None:
    settings = load_settings(GOOD, None)
    assert settings.api_resource == "https://api.test.example"
    with pytest.raises(SettingsError, match=r"^LOGTO_API_RESOURCE is not set"):
        load_settings({**GOOD, "LOGTO_API_RESOURCE": ""}, None)


def test_a_refused_api_resource_is_shown_without_its_password() -> None:
    bad = "https://app:hunter2secret@api.example.com#part"
    with pytest.raises(SettingsError) as refused:
        load_settings({**GOOD, "LOGTO_API_RESOURCE": bad}, None)
    assert str(refused.value).startswith(
        "LOGTO_API_RESOURCE='https://app:***@api.example.com#part' is not an http(s) URI"
    )

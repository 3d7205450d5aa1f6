"""The Management API client's one-line errors, and the fake's checks of request bodies
(shapes from management.d.ts) and of Logto's sign-in experience rules."""

from __future__ import annotations

from typing import Any

import pytest

from logto_kit.admin.management_api import (
    ManagementApi,
    ManagementApiError,
    management_resource,
)

from .fake_management_api import FakeManagementApi

NO_POST_LOGOUT_URIS: dict[str, Any] = {"redirectUris": []}
PHONE_CODE = {
    "identifier": "phone",
    "password": False,
    "verificationCode": True,
    "isPasswordPrimary": False,
}


def test_resource_indicator() -> None:
    assert management_resource("http://localhost:3001") == "https://default.logto.app/api"
    assert management_resource("https://ab12cd.logto.app") == "https://ab12cd.logto.app/api"
    assert management_resource("https://auth.example.com") == "https://default.logto.app/api"
    assert management_resource("https://auth.example.com", "https://x/api") == "https://x/api"


def test_token_is_fetched_once_and_reused(fake: FakeManagementApi, api: ManagementApi) -> None:
    api.get("/api/connectors")
    api.get("/api/sign-in-exp")
    assert len(fake._tokens) == 1


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"name": 1, "type": "Traditional"}, "body.name: expected string"),
        ({"name": "x"}, "body.type: required"),
        ({"name": "x", "type": "Web"}, "body.type: 'Web' is not one of"),
        (
            {"name": "x", "type": "SPA", "oidcClientMetadata": NO_POST_LOGOUT_URIS},
            "body.oidcClientMetadata.postLogoutRedirectUris: required",
        ),
    ],
)
def test_bodies_are_checked_against_the_d_ts_shapes(
    api: ManagementApi, body: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ManagementApiError) as raised:
        api.post("/api/applications", body)
    assert str(raised.value).startswith("Logto refused POST /api/applications: ")
    assert problem in str(raised.value) and "(guard.invalid_input)" in str(raised.value)


def test_logto_rules_answer_as_logto_does(fake: FakeManagementApi, api: ManagementApi) -> None:
    """Logto's answers (checked against a real Logto by the template's suite)."""
    sign_up = {"identifiers": ["phone"], "password": False, "verify": True}
    with pytest.raises(ManagementApiError, match="enabled_connector_not_found"):
        api.patch("/api/sign-in-exp", {"signUp": sign_up})
    secondary_phone = {
        "identifiers": ["username"],
        "password": True,
        "verify": False,
        "secondaryIdentifiers": [{"identifier": "phone", "verify": True}],
    }
    with pytest.raises(ManagementApiError, match="passwordless_requires_verify"):
        api.patch("/api/sign-in-exp", {"signUp": secondary_phone})
    updated = api.patch("/api/sign-in-exp", {"socialSignInConnectorTargets": ["google"]})
    assert updated["socialSignInConnectorTargets"] == []  # no connector: dropped, silently
    neither = {**PHONE_CODE, "identifier": "username", "verificationCode": False}
    sign_in = {"methods": [neither]}
    with pytest.raises(ManagementApiError, match="at_least_one_authentication_factor"):
        api.patch("/api/sign-in-exp", {"signIn": sign_in})
    with pytest.raises(ManagementApiError, match=r"connector\.not_found_with_connector_id"):
        api.post("/api/connectors", {"connectorId": "no-such-factory"})
    assert fake.sign_in_experience["signUp"]["identifiers"] == ["username"]  # unchanged


def test_unknown_keys_are_dropped(fake: FakeManagementApi, api: ManagementApi) -> None:
    created = api.post("/api/applications", {"name": "x", "type": "Traditional", "typo": 1})
    assert "typo" not in created


def test_one_line_errors(fake: FakeManagementApi) -> None:
    wrong = ManagementApi(fake.endpoint, "m2m-app", "wrong-secret")
    with pytest.raises(ManagementApiError, match=r"^the M2M app's ID/secret were refused"):
        wrong.get("/api/connectors")
    custom = ManagementApi(fake.endpoint, "m2m-app", "m2m-secret", "https://other/api")
    with pytest.raises(ManagementApiError, match="LOGTO_M2M_RESOURCE"):
        custom.get("/api/connectors")
    fake.forbidden = True
    with pytest.raises(ManagementApiError, match="lacks the Logto Management API access role"):
        ManagementApi(fake.endpoint, "m2m-app", "m2m-secret").get("/api/connectors")
    with pytest.raises(ManagementApiError, match=r"^cannot reach Logto at http://127.0.0.1:9"):
        ManagementApi("http://127.0.0.1:9", "a", "b").get("/api/connectors")

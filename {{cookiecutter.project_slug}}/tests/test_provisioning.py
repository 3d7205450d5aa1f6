"""The provisioning plan with both connectors chosen explicitly (whatever this bake chose):
connectors, the sign-in experience merge, and idempotency, against the fake Management API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.admin.connector_settings import load_connector_settings
from {{ cookiecutter.package_name }}.admin.connectors import connector_configs
from {{ cookiecutter.package_name }}.admin.management_api import ManagementApi
from {{ cookiecutter.package_name }}.admin.provisioning import Plan, ProvisioningError, Target, apply, plan
from {{ cookiecutter.package_name }}.admin.provisioning_sign_in import (
    sign_in_experience_changes,
    with_phone_sign_in,
)

from .fake_management_api import FakeManagementApi

CREDENTIALS = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "f" * 32,
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "1" * 32,
    "PATREON_CLIENT_ID": "patreon-client-id",
    "PATREON_CLIENT_SECRET": "patreon-secret",
}
PHONE_CODE = {
    "identifier": "phone",
    "password": False,
    "verificationCode": True,
    "isPasswordPrimary": False,
}


def configs(*, twilio: bool = True, patreon: bool = True, **changes: str) -> dict[str, Any]:
    settings = load_connector_settings(
        {**CREDENTIALS, **changes}, None, use_twilio=twilio, use_patreon=patreon
    )
    return connector_configs(settings)


def target(tmp_path: Path, **kwargs: Any) -> Target:
    connectors = kwargs.pop("connectors", configs())
    return Target("http://localhost:3000", tmp_path / ".env", connectors, "Demo", **kwargs)


def provision(api: ManagementApi, goal: Target) -> Plan:
    result = plan(api, goal)
    apply(result.steps, lambda line: None)
    return result


def test_both_connectors_then_nothing_to_do(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    fake.add_connector("google-universal", {"clientId": "g"})
    fake.sign_in_experience["socialSignInConnectorTargets"] = ["google"]
    first = provision(api, target(tmp_path))
    assert [step.request for step in first.steps] == [
        "POST /api/applications",
        f"WRITE {tmp_path / '.env'}",
        "POST /api/connectors",
        "POST /api/connectors",
        "PATCH /api/sign-in-exp",
    ]
    sign_in_exp = fake.sign_in_experience
    assert sign_in_exp["socialSignInConnectorTargets"] == ["google", "patreon"]
    assert sign_in_exp["signUp"] == {"identifiers": ["username"], "password": True, "verify": False}
    assert sign_in_exp["signIn"]["methods"][1] == PHONE_CODE
    (patch,) = [r.body for r in fake.changes() if r.path == "/api/sign-in-exp"]
    assert patch.keys() == {"socialSignInConnectorTargets", "signIn"}  # sign-up is theirs
    assert any(note.startswith("phone sign-up left off") for note in first.notes)
    again = plan(api, target(tmp_path))
    assert again.steps == []
    assert any(note.startswith("phone sign-up left off") for note in again.notes)


def test_phone_sign_up_only_when_asked_on_a_username_tenant(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    provision(api, target(tmp_path, phone_sign_up=True))
    assert fake.sign_in_experience["signUp"] == {
        "identifiers": ["username"],
        "password": True,
        "verify": True,  # Logto wants it for any email/phone identifier, secondary too
        "secondaryIdentifiers": [{"identifier": "phone", "verify": True}],
    }
    result = plan(api, target(tmp_path, phone_sign_up=True))
    assert (result.steps, result.notes[-1:]) == ([], [result.notes[-1]])
    assert not any("left off" in note for note in result.notes)


def test_changed_credentials_patch_the_config(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    provision(api, target(tmp_path))
    changed = target(tmp_path, connectors=configs(twilio=False, PATREON_CLIENT_SECRET="new-secret"))
    (step,) = plan(api, changed).steps
    assert step.request == "PATCH /api/connectors/patreon"
    apply([step], lambda line: None)
    assert fake.connectors[-1]["config"]["clientSecret"] == "new-secret"


def test_patreon_under_another_id_is_used(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    config = configs(twilio=False)["patreon-universal"]
    fake.add_connector("patreon-universal", config, connector_id="abc123")
    fake.sign_in_experience["socialSignInConnectorTargets"] = ["patreon"]
    result = plan(api, target(tmp_path, connectors=configs(twilio=False)))
    assert [step.request for step in result.steps if "connectors" in step.path] == []
    assert f"{fake.endpoint}/callback/abc123" in " ".join(result.notes)


def test_another_sms_connector_is_not_replaced(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    fake.add_connector("aliyun-short-message-service", {}, connector_id="sms1")
    with pytest.raises(ProvisioningError, match="aliyun-short-message-service, id sms1"):
        plan(api, target(tmp_path))


def test_no_connectors_leave_the_sign_in_experience_alone(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    provision(api, target(tmp_path, connectors={}))
    assert not [r for r in fake.requests if "connectors" in r.path or "sign-in-exp" in r.path]


def test_expired_secret_gets_a_new_one(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    app = fake.add_application(
        "Demo", ["http://localhost:3000/callback"], ["http://localhost:3000/"]
    )
    fake.secrets[app["id"]][0]["expiresAt"] = 1000
    result = provision(api, target(tmp_path, connectors={}))
    assert [s.method for s in result.steps] == ["POST", "WRITE"]
    assert (tmp_path / ".env").read_text() == (
        f"LOGTO_APP_ID={app['id']}\nLOGTO_APP_SECRET={fake.secrets[app['id']][1]['value']}\n"
    )


USERNAME_FIRST = {"identifiers": ["username"], "password": True, "verify": False}
EMAIL_FIRST = {"identifiers": ["email"], "password": True, "verify": True}


@pytest.mark.parametrize(
    ("sign_up", "asked", "expected", "held_back"),
    [
        # Email-first: "email or phone" asks nothing new of anyone who has an email.
        (EMAIL_FIRST, False, {**EMAIL_FIRST, "identifiers": ["email", "phone"]}, False),
        # Phone already a sign-up identifier, primary or secondary: nothing to do.
        ({**EMAIL_FIRST, "identifiers": ["phone"]}, False, None, False),
        (
            {
                **USERNAME_FIRST,
                "verify": True,
                "secondaryIdentifiers": [{"identifier": "emailOrPhone", "verify": True}],
            },
            False,
            None,
            False,
        ),
        # Username-first or nothing: phone would be required of existing users.
        (USERNAME_FIRST, False, None, True),
        ({"identifiers": [], "password": True, "verify": False}, False, None, True),
        (
            {"identifiers": [], "password": True, "verify": False},
            True,
            {"identifiers": ["phone"], "password": True, "verify": True},
            False,
        ),
    ],
)
def test_phone_sign_up_policy(
    sign_up: dict[str, Any], asked: bool, expected: dict[str, Any] | None, held_back: bool
) -> None:
    methods = {"methods": [PHONE_CODE]}
    current = {"signUp": sign_up, "signIn": methods}
    changes = sign_in_experience_changes(
        current, phone=True, social_targets=[], phone_sign_up=asked
    )
    assert changes.body.get("signUp") == expected
    assert bool(changes.held_back) is held_back
    assert all(len(line.splitlines()) == 1 for line in changes.held_back)


def test_phone_sign_in_merge() -> None:
    password_only = {**PHONE_CODE, "password": True, "verificationCode": False}
    assert with_phone_sign_in([password_only]) == [{**password_only, "verificationCode": True}]
    assert with_phone_sign_in([PHONE_CODE]) == [PHONE_CODE]

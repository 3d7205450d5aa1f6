"""Twilio SMS: the SMS texts, the `.env` values, the button, and what `provision` does to the
sign-in experience for phone sign-in (against the fake Management API, checked against a real
Logto by the template's suite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from logto_kit.admin.management_api import ManagementApi
from logto_kit.admin.provisioning import ProvisioningError, plan
from logto_kit.connectors.twilio import (
    CODE_PLACEHOLDER,
    CONNECTOR,
    SMS_TEMPLATES_FILE,
    phone_sign_in_changes,
    sms_templates,
    with_phone_sign_in,
)
from logto_kit.settings import SettingsError

from .fake_management_api import FakeManagementApi
from .provisioning_steps import PHONE_CODE, provision, target
from .test_logto_cli import run, write_env
from .twilio_connector import ENV

TWILIO = ENV
USERNAME_FIRST = {"identifiers": ["username"], "password": True, "verify": False}
EMAIL_FIRST = {"identifiers": ["email"], "password": True, "verify": True}


def only_twilio(**changes: str) -> dict[Any, dict[str, Any]]:
    return {CONNECTOR: CONNECTOR.config({**TWILIO, **changes})}


def test_code_placeholder_survived_generation() -> None:
    assert CODE_PLACEHOLDER == "{" * 2 + "code" + "}" * 2
    text = SMS_TEMPLATES_FILE.read_text(encoding="utf-8")
    assert text.count(CODE_PLACEHOLDER) == len(sms_templates())


def test_sms_templates_cover_every_required_use() -> None:
    templates = sms_templates()
    covered = {template["usageType"] for template in templates}
    assert {"Register", "SignIn", "ForgotPassword", "Generic"} <= covered
    assert all(CODE_PLACEHOLDER in t["content"] for t in templates)


def test_config_has_the_shape_logto_takes() -> None:
    config = CONNECTOR.config(TWILIO)
    assert set(config) == {"accountSID", "authToken", "fromMessagingServiceSID", "templates"}
    assert CONNECTOR.secret_keys == ("authToken",)
    assert CONNECTOR.paste_where.startswith("Logto Console > Connectors > Email and SMS")
    assert config["fromMessagingServiceSID"] == TWILIO["TWILIO_MESSAGING_SERVICE_SID"]


def test_the_button_opens_logtos_phone_screen() -> None:
    """Logto drops every extra parameter when one is invalid: the exact values."""
    assert CONNECTOR.button.params == {"first_screen": "identifier:sign_in", "identifier": "phone"}


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("TWILIO_MESSAGING_SERVICE_SID", "+15551234567", "not a phone number"),
        ("TWILIO_MESSAGING_SERVICE_SID", "PN" + "0" * 32, "MG + 32 hex"),
        ("TWILIO_ACCOUNT_SID", "AC123", "AC + 32 hex"),
        ("TWILIO_ACCOUNT_SID", "your-twilio-account-sid", "placeholder"),
        ("TWILIO_AUTH_TOKEN", "", "is not set"),
        ("TWILIO_AUTH_TOKEN", "not-hex-" * 4, "32 hex"),
    ],
)
def test_malformed_values_are_one_line(name: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError) as caught:
        CONNECTOR.config({**TWILIO, name: value})
    message = str(caught.value)
    assert message.startswith(name)
    assert words in message
    assert "\n" not in message


def test_every_unusable_value_is_named_at_once() -> None:
    """`.env.example`'s placeholders and a phone number: one line for each, in one go."""
    given = {
        "TWILIO_ACCOUNT_SID": "your-twilio-account-sid",
        "TWILIO_AUTH_TOKEN": "your-twilio-auth-token",
        "TWILIO_MESSAGING_SERVICE_SID": "+15551234567",
    }
    missing = CONNECTOR.missing(given)
    assert list(missing) == list(given)
    assert all(problem.startswith(name) for name, problem in missing.items())
    with pytest.raises(SettingsError) as caught:
        CONNECTOR.config(given)
    assert caught.value.problems == list(missing.values())
    assert CONNECTOR.missing(TWILIO) == {}


def test_secrets_are_not_echoed() -> None:
    with pytest.raises(SettingsError) as caught:
        CONNECTOR.config({**TWILIO, "TWILIO_AUTH_TOKEN": "zzzzzz-secret-zzzzzz"})
    assert "zzzzzz-secret" not in str(caught.value)


def test_a_username_tenant_gets_phone_sign_in_and_keeps_its_sign_up(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    first = provision(api, target(tmp_path, only_twilio()))
    sign_in_exp = fake.sign_in_experience
    assert sign_in_exp["signUp"] == USERNAME_FIRST
    assert sign_in_exp["signIn"]["methods"][1] == PHONE_CODE
    (patch,) = [r.body for r in fake.changes() if r.path == "/api/sign-in-exp"]
    assert patch.keys() == {"signIn"}  # sign-up is theirs
    assert any(note.startswith("phone sign-up left off") for note in first.notes)
    again = plan(api, target(tmp_path, only_twilio()))
    assert again.steps == []
    assert any(note.startswith("phone sign-up left off") for note in again.notes)


def test_phone_sign_up_only_when_asked_on_a_username_tenant(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    asked = frozenset({"--phone-sign-up"})
    provision(api, target(tmp_path, only_twilio(), flags=asked))
    assert fake.sign_in_experience["signUp"] == {
        "identifiers": ["username"],
        "password": True,
        "verify": True,  # Logto wants it for any email/phone identifier, secondary too
        "secondaryIdentifiers": [{"identifier": "phone", "verify": True}],
    }
    result = plan(api, target(tmp_path, only_twilio(), flags=asked))
    assert result.steps == []
    assert not any("left off" in note for note in result.notes)


def test_another_sms_connector_is_not_replaced(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    fake.add_connector("aliyun-short-message-service", {}, connector_id="sms1")
    with pytest.raises(ProvisioningError, match="aliyun-short-message-service, id sms1"):
        plan(api, target(tmp_path, only_twilio()))


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
    changes = phone_sign_in_changes({"signUp": sign_up, "signIn": methods}, phone_sign_up=asked)
    assert changes.body.get("signUp") == expected
    assert bool(changes.held_back) is held_back
    assert all(len(line.splitlines()) == 1 for line in changes.held_back)


def test_phone_sign_in_merge() -> None:
    password_only = {**PHONE_CODE, "password": True, "verificationCode": False}
    assert with_phone_sign_in([password_only]) == [{**password_only, "verificationCode": True}]
    assert with_phone_sign_in([PHONE_CODE]) == [PHONE_CODE]


def test_doctor_says_whether_phone_sign_in_and_sign_up_are_on() -> None:
    command = "cli logto provision"
    no_methods: dict[str, Any] = {"methods": []}
    off = CONNECTOR.check_sign_in_experience({"signIn": no_methods}, command)
    assert [kind for kind, _ in off] == ["fix"]
    assert off[0][1].startswith("phone sign-in with an SMS code is off")
    assert f"run `{command}`" in off[0][1]
    on = {"signIn": {"methods": [PHONE_CODE]}, "signUp": USERNAME_FIRST}
    (ok, note) = CONNECTOR.check_sign_in_experience(on, command)
    assert ok[0] == "ok"
    assert note[0] == "note"
    assert note[1].startswith("phone sign-up is off (new users sign up with a username)")
    assert f"run `{command} --phone-sign-up`" in note[1]


def test_provision_takes_phone_sign_up_from_the_command_line(
    fake: FakeManagementApi, tmp_path: Path
) -> None:
    """`logto provision` leaves phone sign-up off, `--phone-sign-up` turns it on."""
    env_file = write_env(tmp_path / ".env", fake.endpoint)
    dry = run(env_file, "provision", "--dry-run")
    assert "phone sign-up left off" in dry.output
    result = run(env_file, "provision", "--phone-sign-up")
    assert result.exit_code == 0, result.output
    secondary = fake.sign_in_experience["signUp"].get("secondaryIdentifiers", [])
    assert secondary == [{"identifier": "phone", "verify": True}]
    assert "left off" not in result.output


def test_doctor_without_credentials_leaves_the_tenants_connector_alone(
    fake: FakeManagementApi, tmp_path: Path
) -> None:
    """A Twilio connector made in Logto Console while `.env` has no credentials: `doctor` says
    it exists (its credentials compared once `.env` has them), not that provision would make
    it, and `provision` changes neither it nor the sign-in experience."""
    made = fake.add_connector("twilio-short-message-service", CONNECTOR.config(TWILIO))
    env_file = write_env(tmp_path / ".env", fake.endpoint, TWILIO_AUTH_TOKEN="")
    doctor = run(env_file, "doctor")
    assert f"note: the Twilio SMS connector exists (id {made['id']})" in doctor.output
    assert "later: the Twilio SMS" not in doctor.output
    fixes = [line for line in doctor.output.splitlines() if line.startswith("fix: ")]
    assert [line for line in fixes if "Twilio" in line or "phone" in line] == [
        "fix: TWILIO_AUTH_TOKEN is not set: put 32 hex digits (Twilio Console > Account info) "
        "in .env"
    ]
    before = dict(fake.sign_in_experience)
    assert run(env_file, "provision").exit_code == 0
    assert [c for c in fake.connectors if c["type"] == "Sms"] == [made]
    assert fake.sign_in_experience["signIn"] == before["signIn"]  # no phone sign-in added
    assert fake.sign_in_experience["signUp"] == before["signUp"]

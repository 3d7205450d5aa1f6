"""Connector configs have the shapes Logto's connectors expect; their settings are checked."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.admin.connector_settings import (
    ConnectorSettings,
    PatreonSettings,
    TwilioSettings,
    load_connector_settings,
)
from {{ cookiecutter.package_name }}.admin.connectors import (
    CODE_PLACEHOLDER,
    PATREON_FACTORY_ID,
    SMS_TEMPLATES_FILE,
    TWILIO_FACTORY_ID,
    connector_configs,
    patreon_callback_uri,
    sms_templates,
)
from {{ cookiecutter.package_name }}.settings import SettingsError

TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "TWILIO_AUTH_TOKEN": "fedcba9876543210" * 2,
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "89abcdef01234567" * 2,
}
PATREON = {"PATREON_CLIENT_ID": "patreon-client-id-1", "PATREON_CLIENT_SECRET": "s3cret-value-xyz"}


def load(env: dict[str, str], twilio: bool = True, patreon: bool = True) -> ConnectorSettings:
    return load_connector_settings(env, None, use_twilio=twilio, use_patreon=patreon)


def test_code_placeholder_survived_generation() -> None:
    assert CODE_PLACEHOLDER == "{" * 2 + "code" + "}" * 2
    text = SMS_TEMPLATES_FILE.read_text(encoding="utf-8")
    assert text.count(CODE_PLACEHOLDER) == len(sms_templates())


def test_sms_templates_cover_every_required_use() -> None:
    templates = sms_templates()
    covered = {template["usageType"] for template in templates}
    assert {"Register", "SignIn", "ForgotPassword", "Generic"} <= covered
    assert all(CODE_PLACEHOLDER in t["content"] for t in templates)


def test_connector_configs() -> None:
    configs = connector_configs(load({**TWILIO, **PATREON}))
    assert list(configs) == [TWILIO_FACTORY_ID, PATREON_FACTORY_ID]
    twilio = configs[TWILIO_FACTORY_ID]
    assert set(twilio) == {"accountSID", "authToken", "fromMessagingServiceSID", "templates"}
    assert twilio["fromMessagingServiceSID"] == TWILIO["TWILIO_MESSAGING_SERVICE_SID"]
    assert configs[PATREON_FACTORY_ID] == {
        "clientId": "patreon-client-id-1",
        "clientSecret": "s3cret-value-xyz",
        "scope": "identity identity[email]",
    }
    assert patreon_callback_uri("https://t.logto.app") == "https://t.logto.app/callback/patreon"


def test_only_chosen_connectors_are_read() -> None:
    assert load({}, twilio=False, patreon=False) == ConnectorSettings(None, None)
    assert load(PATREON, twilio=False).patreon == PatreonSettings(
        "patreon-client-id-1", "s3cret-value-xyz", "identity identity[email]"
    )
    twilio = load(TWILIO, patreon=False).twilio
    assert twilio == TwilioSettings(*TWILIO.values())


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
def test_malformed_twilio_values(name: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load({**TWILIO, name: value}, patreon=False)
    message = str(caught.value)
    assert message.startswith(name)
    assert words in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value"),
    [("PATREON_CLIENT_ID", "has spaces in it"), ("PATREON_SCOPE", "identity,campaigns")],
)
def test_malformed_patreon_values(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{name}="):
        load({**PATREON, name: value}, twilio=False)


def test_secrets_are_not_echoed() -> None:
    with pytest.raises(SettingsError) as caught:
        load({**TWILIO, "TWILIO_AUTH_TOKEN": "zzzzzz-secret-zzzzzz"}, patreon=False)
    assert "zzzzzz-secret" not in str(caught.value)

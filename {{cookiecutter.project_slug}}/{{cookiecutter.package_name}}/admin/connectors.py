"""The Logto connectors this project uses, as the JSON Logto's Console and Management API
take (shapes from @logto/connector-twilio-sms and @logto/connector-patreon)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .connector_settings import ConnectorSettings, PatreonSettings, TwilioSettings

TWILIO_FACTORY_ID = "twilio-short-message-service"
PATREON_FACTORY_ID = "patreon-universal"
PATREON_CONNECTOR_ID = "patreon"  # chosen by us, so its callback URL is known in advance
REQUIRED_SMS_USAGE_TYPES = ("Register", "SignIn", "ForgotPassword", "Generic")
SMS_TEMPLATES_FILE = Path(__file__).with_name("twilio_sms_templates.json")
CODE_PLACEHOLDER = "{" * 2 + "code" + "}" * 2  # Logto puts the one-time code there


def sms_templates() -> list[dict[str, str]]:
    """The SMS texts (edit `twilio_sms_templates.json`); each must keep the code placeholder."""
    templates: list[dict[str, str]] = json.loads(SMS_TEMPLATES_FILE.read_text(encoding="utf-8"))
    covered = {template["usageType"] for template in templates}
    missing = [usage for usage in REQUIRED_SMS_USAGE_TYPES if usage not in covered]
    if missing:
        raise ValueError(f"{SMS_TEMPLATES_FILE.name} lacks templates for {', '.join(missing)}")
    for template in templates:
        if CODE_PLACEHOLDER not in template["content"]:
            raise ValueError(
                f"{SMS_TEMPLATES_FILE.name}: the {template['usageType']} text lacks "
                f"{CODE_PLACEHOLDER}"
            )
    return templates


def twilio_connector_config(twilio: TwilioSettings) -> dict[str, Any]:
    return {
        "accountSID": twilio.account_sid,
        "authToken": twilio.auth_token,
        "fromMessagingServiceSID": twilio.messaging_service_sid,
        "templates": sms_templates(),
    }


def patreon_connector_config(patreon: PatreonSettings) -> dict[str, Any]:
    return {
        "clientId": patreon.client_id,
        "clientSecret": patreon.client_secret,
        "scope": patreon.scope,
    }


def patreon_callback_uri(logto_endpoint: str, connector_id: str = PATREON_CONNECTOR_ID) -> str:
    """The Redirect URI to register on the Patreon client."""
    return f"{logto_endpoint}/callback/{connector_id}"


def config_differs(stored: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Do the keys this project sets differ in `stored` (other keys are the tenant's own)?"""
    return any(stored.get(key) != value for key, value in wanted.items())


def connector_configs(settings: ConnectorSettings) -> dict[str, dict[str, Any]]:
    """{factory id: config} for every chosen connector."""
    configs = {}
    if settings.twilio:
        configs[TWILIO_FACTORY_ID] = twilio_connector_config(settings.twilio)
    if settings.patreon:
        configs[PATREON_FACTORY_ID] = patreon_connector_config(settings.patreon)
    return configs

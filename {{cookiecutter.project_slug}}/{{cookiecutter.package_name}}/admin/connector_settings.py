"""Credentials of the chosen Logto connectors (Twilio SMS, Patreon), read from the environment
and `.env` and checked for shape. Only the `logto` commands need them: the connectors run
inside Logto, so the web app itself starts without them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..about import USE_PATREON, USE_TWILIO
from ..settings import PROJECT_ROOT, SettingsError, is_placeholder, read_env

TWILIO_CONSOLE = "Twilio Console > Account info"
SHAPES = {
    "TWILIO_ACCOUNT_SID": (re.compile(r"AC[0-9a-f]{32}"), f"AC + 32 hex digits ({TWILIO_CONSOLE})"),
    "TWILIO_AUTH_TOKEN": (re.compile(r"[0-9a-f]{32}"), f"32 hex digits ({TWILIO_CONSOLE})"),
    "TWILIO_MESSAGING_SERVICE_SID": (
        re.compile(r"MG[0-9a-f]{32}"),
        "MG + 32 hex digits: a Messaging Service SID (Twilio Console > Messaging > Services), "
        "not a phone number",
    ),
    "PATREON_CLIENT_ID": (re.compile(r"[A-Za-z0-9_-]{8,}"), "the Client ID of your Patreon client"),
    "PATREON_CLIENT_SECRET": (
        re.compile(r"[A-Za-z0-9_-]{8,}"),
        "the Client Secret of your Patreon client",
    ),
    "PATREON_SCOPE": (
        re.compile(r"[a-z][a-z0-9_.\[\]]*( [a-z][a-z0-9_.\[\]]*)*"),
        "space-separated Patreon scopes, e.g. identity identity[email]",
    ),
}
DEFAULT_PATREON_SCOPE = "identity identity[email]"


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    messaging_service_sid: str


@dataclass(frozen=True)
class PatreonSettings:
    client_id: str
    client_secret: str
    scope: str = DEFAULT_PATREON_SCOPE


@dataclass(frozen=True)
class ConnectorSettings:
    twilio: TwilioSettings | None
    patreon: PatreonSettings | None


def load_connector_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = PROJECT_ROOT / ".env",
    *,
    use_twilio: bool = USE_TWILIO,
    use_patreon: bool = USE_PATREON,
) -> ConnectorSettings:
    """The chosen connectors' credentials; a missing, placeholder or malformed value raises
    `SettingsError` with one line naming the variable."""
    values = read_env(dotenv_path, environ)
    twilio = patreon = None
    if use_twilio:
        twilio = TwilioSettings(
            account_sid=_checked(values, "TWILIO_ACCOUNT_SID"),
            auth_token=_checked(values, "TWILIO_AUTH_TOKEN"),
            messaging_service_sid=_checked(values, "TWILIO_MESSAGING_SERVICE_SID"),
        )
    if use_patreon:
        patreon = PatreonSettings(
            client_id=_checked(values, "PATREON_CLIENT_ID"),
            client_secret=_checked(values, "PATREON_CLIENT_SECRET"),
            scope=_checked(values, "PATREON_SCOPE", default=DEFAULT_PATREON_SCOPE),
        )
    return ConnectorSettings(twilio=twilio, patreon=patreon)


def _checked(values: Mapping[str, str | None], name: str, default: str | None = None) -> str:
    pattern, expected = SHAPES[name]
    value = (values.get(name) or "").strip() or default
    if not value:
        raise SettingsError(f"{name} is not set: put {expected} in .env")
    if is_placeholder(value):
        raise SettingsError(f"{name} is still the placeholder {value!r}: put {expected} in .env")
    if not pattern.fullmatch(value):
        raise SettingsError(f"{name}={_shown(name, value)} is malformed: expected {expected}")
    return value


def _shown(name: str, value: str) -> str:
    """Secrets are not echoed back in full."""
    if name.endswith(("TOKEN", "SECRET")):
        return repr(value[:4] + "…") if len(value) > 4 else "'…'"
    return repr(value)

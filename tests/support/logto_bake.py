"""A bake set up as a user sets it up against a real Logto: `.env` with the endpoint, the M2M
app and (made-up, well-formed) connector credentials, then the project's own `logto`
commands (`provision`, `doctor`, `connectors`) run in it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .baked_app import BakedApp, bake_app, set_env_values
from .real_logto import LogtoInstance, LogtoTenant

#: Well-formed credentials: Logto stores them; nothing ever reaches Twilio or Patreon.
CONNECTOR_ENV = {
    "TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "TWILIO_AUTH_TOKEN": "fedcba9876543210" * 2,
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "00112233445566778899aabbccddeeff",
    "PATREON_CLIENT_ID": "patreon-client-id-for-tests",
    "PATREON_CLIENT_SECRET": "patreon-client-secret-for-tests",
}
BOTH_CONNECTORS = {"use_twilio": True, "use_patreon": True}
#: Variables of ours a developer's shell may hold; the commands must read only `.env`.
OURS = ("LOGTO_", "TWILIO_", "PATREON_", "APP_BASE_URL", "SECRET_KEY", "FLASK_", "QUART_")


#: A tenant's own sign-in experience settings, which `provision` must keep.
OWN_SETTINGS = {
    "color": {"primaryColor": "#0A7A5A", "isDarkModeEnabled": True, "darkPrimaryColor": "#33CC99"},
    "branding": {"logoUrl": "https://shop.example/logo.svg"},
    "termsOfUseUrl": "https://shop.example/terms",
    "privacyPolicyUrl": "https://shop.example/privacy",
    "socialSignInConnectorTargets": ["google"],
}


def give_own_settings(tenant: LogtoTenant) -> dict[str, Any]:
    """Make the tenant one that is already in use: its own branding and policies and a social
    connector (Google) of its own on the sign-in page. Returns that connector."""
    google: dict[str, Any] = tenant.call(
        "POST",
        "/api/connectors",
        {"connectorId": "google-universal", "config": {"clientId": "g-id", "clientSecret": "g-s"}},
    )
    tenant.call("PATCH", "/api/sign-in-exp", OWN_SETTINGS)
    return google


def bake_against(
    output_dir: Path,
    logto: LogtoInstance,
    *,
    framework: str,
    port: int,
    answers: Mapping[str, object] | None = None,
    env: Mapping[str, str] | None = None,
) -> BakedApp:
    """Bake for `logto` and `http://127.0.0.1:port`; `.env` gets the M2M app and the
    connector credentials, while LOGTO_APP_ID/SECRET stay placeholders until `provision`."""
    app = bake_app(
        output_dir,
        framework=framework,
        port=port,
        logto_endpoint=logto.endpoint,
        app_id="your-app-id",
        app_secret="your-app-secret",
        answers=answers,
        env={
            "LOGTO_M2M_APP_ID": logto.m2m_app_id,
            "LOGTO_M2M_APP_SECRET": logto.m2m_app_secret,
            **CONNECTOR_ENV,
            **(env or {}),
        },
    )
    if logto.resource != "https://default.logto.app/api":
        with open(app.project / ".env", "a", encoding="utf-8") as dotenv:
            dotenv.write(f"LOGTO_M2M_RESOURCE={logto.resource}\n")
    return app


def logto_command(
    app: BakedApp, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`logto ARGS` in the bake, without installing it (the console script needs
    `pip install -e .`): `python -m logto_kit.admin ARGS`, the same program."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    return subprocess.run(
        [sys.executable, "-m", "logto_kit.admin", *args],
        cwd=app.project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def provisioned(app: BakedApp, *args: str) -> BakedApp:
    """Run `logto provision` (it writes LOGTO_APP_ID/SECRET into `.env`); fail loudly."""
    done = logto_command(app, "provision", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return app


def env_values(app: BakedApp) -> dict[str, str]:
    lines = (app.project / ".env").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


__all__ = [
    "BOTH_CONNECTORS",
    "CONNECTOR_ENV",
    "bake_against",
    "env_values",
    "give_own_settings",
    "logto_command",
    "provisioned",
    "set_env_values",
]

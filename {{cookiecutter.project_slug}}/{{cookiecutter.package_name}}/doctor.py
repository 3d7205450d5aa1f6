"""`logto doctor`: check the setup, printing `ok:` or `fix:` (with what to do) per check.

Checks `.env` and every setting, Logto's discovery document, and, when an M2M app is
configured (LOGTO_M2M_APP_ID/SECRET), that the app is registered in the tenant with this
project's redirect URIs and secret, and that the chosen connectors exist."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .about import USE_PATREON, USE_TWILIO
from .connector_settings import load_connector_settings
from .connectors import PATREON_FACTORY_ID, TWILIO_FACTORY_ID, patreon_callback_uri
from .management_api import ManagementApiError, api_from_env, read_env
from .provisioning_app import usable_secret
from .settings import (
    Settings,
    SettingsError,
    is_placeholder,
    load_settings,
    origin_problem,
)

TIMEOUT_SECONDS = 10.0
PROVISION_HINT = "run `flask logto provision` (or fix it in Logto Console > Applications)"


class Report:
    """Collects results; `failed` when any check needs fixing."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.failed = False

    def ok(self, message: str) -> None:
        self.echo(f"ok: {message}")

    def fix(self, message: str) -> None:
        self.failed = True
        self.echo(f"fix: {message}")


def run_doctor(
    env_file: Path,
    echo: Callable[[str], None],
    *,
    environ: Mapping[str, str] | None = None,
    use_twilio: bool = USE_TWILIO,
    use_patreon: bool = USE_PATREON,
) -> bool:
    """Run every check; True when nothing needs fixing. `environ` (default: the real
    environment) overrides `env_file`, as in the app."""
    report = Report(echo)
    if env_file.exists():
        report.ok(f"{env_file} exists")
    else:
        report.fix(f"{env_file} is missing: copy .env.example to .env and fill it in")
    settings = _check_settings(report, env_file, environ, use_twilio, use_patreon)
    values = read_env(env_file, environ)
    endpoint = (values.get("LOGTO_ENDPOINT") or "").strip().removesuffix("/")
    if endpoint and not origin_problem(endpoint) and not is_placeholder(endpoint):
        _check_discovery(report, endpoint)
    if not (values.get("LOGTO_M2M_APP_ID") and values.get("LOGTO_M2M_APP_SECRET")):
        echo("skip: the app's registration in Logto (set LOGTO_M2M_APP_ID/SECRET to check it)")
    elif settings is None:
        echo("skip: the app's registration in Logto (fix the settings above first)")
    else:
        try:
            _check_tenant(report, values, settings, use_twilio, use_patreon)
        except (ManagementApiError, SettingsError) as error:
            report.fix(f"cannot check the tenant: {error}")
    return not report.failed


def _check_settings(
    report: Report,
    env_file: Path,
    environ: Mapping[str, str] | None,
    use_twilio: bool,
    use_patreon: bool,
) -> Settings | None:
    settings = None
    try:
        settings = load_settings(environ, dotenv_path=env_file)
        report.ok("LOGTO_*, APP_BASE_URL, SECRET_KEY and session settings are well-formed")
    except SettingsError as error:
        report.fix(str(error))
    if use_twilio or use_patreon:
        try:
            load_connector_settings(
                environ, env_file, use_twilio=use_twilio, use_patreon=use_patreon
            )
            report.ok("the connectors' credentials are well-formed")
        except SettingsError as error:
            report.fix(str(error))
    return settings


def _check_discovery(report: Report, endpoint: str) -> None:
    url = f"{endpoint}/oidc/.well-known/openid-configuration"
    try:
        # nosec B310: `endpoint` passed origin_problem(): an http(s) origin, never file: etc.
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # nosec B310
            issuer = json.loads(response.read()).get("issuer")
    except (OSError, ValueError, AttributeError) as error:
        reason = getattr(error, "reason", error)
        report.fix(f"cannot fetch {url} ({reason}): is LOGTO_ENDPOINT your Logto endpoint?")
        return
    if issuer == f"{endpoint}/oidc":
        report.ok(f"Logto answers at {endpoint} (issuer {issuer})")
    else:
        report.fix(f"Logto's issuer is {issuer!r}, not {endpoint}/oidc: correct LOGTO_ENDPOINT")


def _check_tenant(
    report: Report,
    values: Mapping[str, str],
    settings: Settings,
    use_twilio: bool,
    use_patreon: bool,
) -> None:
    api = api_from_env(values)
    path = f"/api/applications/{settings.logto_app_id}"
    apps: list[dict[str, Any]] = api.get("/api/applications", {"types": "Traditional"})
    app = next((app for app in apps if app["id"] == settings.logto_app_id), None)
    if app is None:
        report.fix(
            f"LOGTO_APP_ID={settings.logto_app_id} is no Traditional web app: " + PROVISION_HINT
        )
        return
    metadata = app["oidcClientMetadata"]
    for uri, key, what in (
        (settings.redirect_uri, "redirectUris", "Redirect URI"),
        (settings.post_sign_out_redirect_uri, "postLogoutRedirectUris", "post sign-out URI"),
    ):
        if uri in metadata[key]:
            report.ok(f"the app {app['name']!r} has the {what} {uri}")
        else:
            report.fix(f"the app {app['name']!r} lacks the {what} {uri}: {PROVISION_HINT}")
    if usable_secret(api.get(f"{path}/secrets"), settings.logto_app_secret) == (
        settings.logto_app_secret
    ):
        report.ok("LOGTO_APP_SECRET is one of the app's secrets")
    else:
        report.fix(f"LOGTO_APP_SECRET is not an unexpired secret of the app: {PROVISION_HINT}")
    wanted = [TWILIO_FACTORY_ID] * use_twilio + [PATREON_FACTORY_ID] * use_patreon
    connectors: list[dict[str, Any]] = api.get("/api/connectors") if wanted else []
    for factory_id in wanted:
        found = next((c for c in connectors if c["connectorId"] == factory_id), None)
        if found is None:
            report.fix(f"no {factory_id} connector in the tenant: run `flask logto provision`")
        elif factory_id == PATREON_FACTORY_ID:
            uri = patreon_callback_uri(api.endpoint, found["id"])
            report.ok(f"the Patreon connector exists (Redirect URI at Patreon: {uri})")
        else:
            report.ok(f"the {factory_id} connector exists")

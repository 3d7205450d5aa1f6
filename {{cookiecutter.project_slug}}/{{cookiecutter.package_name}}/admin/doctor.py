"""`logto doctor`: check the setup, printing `ok:` or `fix:` (with what to do) per check, every
problem in one run.

Checks `.env` and every setting, Logto's discovery document and, when an M2M app is
configured (LOGTO_M2M_APP_ID/SECRET), what the tenant holds for this project: the app with
its redirect URIs and secret, the chosen connectors with the credentials `.env` gives, and a
sign-in experience where the app's buttons work (phone sign-in with an SMS code for Twilio,
the Patreon button for Patreon)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..about import USE_PATREON, USE_TWILIO, WEB_FRAMEWORK
from ..auth.logto_auth import EXPIRY_MARGIN_SECONDS
from ..auth.sign_in_options import PATREON_TARGET
from ..settings import (
    SettingsError,
    is_placeholder,
    load_settings,
    origin_problem,
    post_sign_out_redirect_uri,
    read_env,
    redirect_uri,
)
from .connector_settings import load_connector_settings
from .connectors import (
    PATREON_FACTORY_ID,
    TWILIO_FACTORY_ID,
    config_differs,
    connector_configs,
    patreon_callback_uri,
)
from .management_api import ManagementApi, ManagementApiError, api_from_env
from .provisioning_app import usable_secret
from .provisioning_sign_in import describe, has_phone_sign_in, offers_phone_sign_up

TIMEOUT_SECONDS = 10.0
PROVISION = f"run `{WEB_FRAMEWORK.lower()} logto provision`"
CONNECTOR_NAMES = {TWILIO_FACTORY_ID: "Twilio SMS", PATREON_FACTORY_ID: "Patreon"}


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

    def note(self, message: str) -> None:
        self.echo(f"note: {message}")


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
    _check_settings(report, env_file, environ)
    configs = _check_connector_settings(report, env_file, environ, use_twilio, use_patreon)
    values = read_env(env_file, environ)
    endpoint = (values.get("LOGTO_ENDPOINT") or "").strip().removesuffix("/")
    if endpoint and not origin_problem(endpoint) and not is_placeholder(endpoint):
        _check_discovery(report, endpoint)
    if not (values.get("LOGTO_M2M_APP_ID") and values.get("LOGTO_M2M_APP_SECRET")):
        echo("skip: the tenant (set LOGTO_M2M_APP_ID/SECRET to check the app and connectors)")
        return not report.failed
    wanted = [TWILIO_FACTORY_ID] * use_twilio + [PATREON_FACTORY_ID] * use_patreon
    try:
        api = api_from_env(values)
        _check_app(report, api, values)
        if wanted:
            _check_connectors(report, api, wanted, configs)
            _check_sign_in_experience(report, api, use_twilio, use_patreon)
    except (ManagementApiError, SettingsError) as error:
        report.fix(f"cannot check the tenant: {error}")
    return not report.failed


def _check_settings(report: Report, env_file: Path, environ: Mapping[str, str] | None) -> None:
    try:
        load_settings(environ, dotenv_path=env_file)
        report.ok("LOGTO_*, APP_BASE_URL, SECRET_KEY and session settings are well-formed")
    except SettingsError as error:
        report.fix(str(error))


def _check_connector_settings(
    report: Report,
    env_file: Path,
    environ: Mapping[str, str] | None,
    use_twilio: bool,
    use_patreon: bool,
) -> dict[str, dict[str, Any]] | None:
    """The chosen connectors' configs from `.env`; None when they are not usable."""
    if not (use_twilio or use_patreon):
        return {}
    try:
        settings = load_connector_settings(
            environ, env_file, use_twilio=use_twilio, use_patreon=use_patreon
        )
        configs = connector_configs(settings)
    except (SettingsError, ValueError) as error:
        report.fix(str(error))
        return None
    report.ok("the connectors' credentials are well-formed")
    return configs


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


def _check_app(report: Report, api: ManagementApi, values: Mapping[str, str]) -> None:
    """The app LOGTO_APP_ID names: a Traditional web app with our URIs and secret."""
    app_id = (values.get("LOGTO_APP_ID") or "").strip()
    base_url = (values.get("APP_BASE_URL") or "").strip().removesuffix("/")
    if not app_id or is_placeholder(app_id) or not base_url or origin_problem(base_url):
        report.fix(
            f"the app's registration is unchecked until LOGTO_APP_ID and APP_BASE_URL "
            f"are set: {PROVISION} (it creates the app and writes them)"
        )
        return
    apps: list[dict[str, Any]] = api.get("/api/applications", {"types": "Traditional"})
    app = next((app for app in apps if app["id"] == app_id), None)
    if app is None:
        report.fix(f"LOGTO_APP_ID={app_id} is no Traditional web app in the tenant: {PROVISION}")
        return
    metadata = app["oidcClientMetadata"]
    for uri, key, what in (
        (redirect_uri(base_url), "redirectUris", "Redirect URI"),
        (post_sign_out_redirect_uri(base_url), "postLogoutRedirectUris", "post sign-out URI"),
    ):
        if uri in metadata[key]:
            report.ok(f"the app {app['name']!r} has the {what} {uri}")
        else:
            report.fix(f"the app {app['name']!r} lacks the {what} {uri}: {PROVISION}")
    ttl = (app.get("customClientMetadata") or {}).get("idTokenTtl")
    if isinstance(ttl, int | float) and ttl <= EXPIRY_MARGIN_SECONDS:
        report.fix(
            f"the app's ID tokens live {ttl} s (customClientMetadata.idTokenTtl), no longer "
            f"than the {EXPIRY_MARGIN_SECONDS} s before expiry at which this app renews them, "
            f"so every page would renew: set it above {EXPIRY_MARGIN_SECONDS} (Logto's default "
            "is 3600)"
        )
    secret = values.get("LOGTO_APP_SECRET")
    if secret and usable_secret(api.get(f"/api/applications/{app_id}/secrets"), secret) == secret:
        report.ok("LOGTO_APP_SECRET is one of the app's secrets")
    else:
        report.fix(f"LOGTO_APP_SECRET is not an unexpired secret of the app: {PROVISION}")


def _check_connectors(
    report: Report,
    api: ManagementApi,
    wanted: list[str],
    configs: Mapping[str, dict[str, Any]] | None,
) -> None:
    connectors: list[dict[str, Any]] = api.get("/api/connectors")
    for factory_id in wanted:
        name = CONNECTOR_NAMES[factory_id]
        found = next((c for c in connectors if c["connectorId"] == factory_id), None)
        if found is None:
            other_sms = [c for c in connectors if c.get("type") == "Sms"]
            if factory_id == TWILIO_FACTORY_ID and other_sms:
                report.fix(
                    f"the tenant's SMS connector is {other_sms[0]['connectorId']}, not Twilio: "
                    "Logto keeps one; delete it in Logto Console > Connectors, then " + PROVISION
                )
            else:
                report.fix(f"no {name} connector in the tenant: {PROVISION}")
            continue
        if configs is not None and config_differs(found["config"], configs[factory_id]):
            report.fix(
                f"the {name} connector (id {found['id']}) holds other credentials than .env: "
                f"{PROVISION} to update it"
            )
        else:
            report.ok(f"the {name} connector exists (id {found['id']})")
        if factory_id == PATREON_FACTORY_ID:
            uri = patreon_callback_uri(api.endpoint, found["id"])
            report.note(f"Patreon: your Patreon client needs the Redirect URI {uri}")


def _check_sign_in_experience(
    report: Report, api: ManagementApi, use_twilio: bool, use_patreon: bool
) -> None:
    sign_in_exp: dict[str, Any] = api.get("/api/sign-in-exp")
    if use_twilio and has_phone_sign_in(sign_in_exp):
        report.ok('phone sign-in with an SMS code is on (the "Continue with phone" button)')
        if offers_phone_sign_up(sign_in_exp["signUp"]):
            report.ok("Logto offers new phone numbers an account")
        else:
            report.note(
                f"phone sign-up is off (new users sign up with "
                f"{describe(sign_in_exp['signUp'])}): unknown phone numbers cannot sign up; "
                f"{PROVISION} --phone-sign-up to allow it"
            )
    elif use_twilio:
        report.fix(
            f"phone sign-in with an SMS code is off in the sign-in experience: {PROVISION} "
            "(or Logto Console > Sign-in experience > Sign-up and sign-in: add Phone number "
            "with Verification code)"
        )
    if not use_patreon:
        return
    if PATREON_TARGET in sign_in_exp["socialSignInConnectorTargets"]:
        report.ok('Patreon is a social sign-in button (the "Continue with Patreon" button)')
    else:
        report.fix(
            f"Patreon is not a social sign-in button of the sign-in experience, so "
            f'"Continue with Patreon" lands on the sign-in page: {PROVISION} (or Logto '
            "Console > Sign-in experience > Sign-up and sign-in > Social sign-in: add Patreon)"
        )

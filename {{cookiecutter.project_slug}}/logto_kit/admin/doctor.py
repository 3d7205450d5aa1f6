"""`logto doctor`: check the setup, printing `ok:` or `fix:` (with what to do) per check, every
problem in one run.

Checks `.env` and every setting (the values setup_status.py finds missing, as the setup page
and `logto provision` list them), that the session store answers, Logto's discovery document
and, when an M2M app is configured (LOGTO_M2M_APP_ID/SECRET), what the tenant holds for this
project: the app with its redirect URIs and secret, the chosen connectors with the credentials
`.env` gives, and a sign-in experience where the app's buttons work (each connector says what
that takes). A connector whose credentials are not in `.env` yet is said to wait for them
(`later:`), its values being the `fix:` lines."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..about import USE_BACKCHANNEL_LOGOUT
from ..auth.logto_auth import EXPIRY_MARGIN_SECONDS
from ..connectors import CHOSEN
from ..connectors.connector import Connector, config_differs
from ..optional_parts import present_modules
from ..sessions.store_check import check_store
from ..settings import (
    PROVISION_COMMAND,
    SettingsError,
    backchannel_logout_uri,
    is_placeholder,
    origin_problem,
    post_sign_out_redirect_uri,
    read_env,
    redirect_uri,
)
from ..setup_status import MissingValue, missing_values, waiting_connectors, waiting_line
from .management_api import ManagementApi, ManagementApiError, api_from_env
from .provisioning_app import usable_secret
from .provisioning_plan import Plan, Target

TIMEOUT_SECONDS = 10.0
COMMAND = PROVISION_COMMAND
PROVISION = f"run `{COMMAND}`"


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

    def later(self, message: str) -> None:
        """Something left for later, waiting for values `fix:` lines name."""
        self.echo(f"later: {message}")


def run_doctor(
    env_file: Path,
    echo: Callable[[str], None],
    *,
    environ: Mapping[str, str] | None = None,
    connectors: tuple[Connector, ...] = CHOSEN,
) -> bool:
    """Run every check; True when nothing needs fixing. `environ` (default: the real
    environment) overrides `env_file`, as in the app."""
    report = Report(echo)
    if env_file.exists():
        report.ok(f"{env_file} exists")
    else:
        report.fix(f"{env_file} is missing: copy .env.example to .env and fill it in")
    values = read_env(env_file, environ)
    missing = missing_values(values, connectors)
    _check_settings(report, missing, connectors)
    _check_session_store(report, values)
    waiting = waiting_connectors(missing)
    configs = {c: c.config(values) for c in connectors if c not in waiting}
    endpoint = (values.get("LOGTO_ENDPOINT") or "").strip().removesuffix("/")
    if endpoint and not origin_problem(endpoint) and not is_placeholder(endpoint):
        _check_discovery(report, endpoint)
    if not (values.get("LOGTO_M2M_APP_ID") and values.get("LOGTO_M2M_APP_SECRET")):
        echo("skip: the tenant (set LOGTO_M2M_APP_ID/SECRET to check the app and connectors)")
        return not report.failed
    try:
        api = api_from_env(values)
        _check_app(report, api, values)
        _check_optional_parts(report, api, values, env_file)
        if connectors:
            _check_connectors(report, api, connectors, configs, waiting)
            ready = tuple(connector for connector in connectors if connector not in waiting)
            _check_sign_in_experience(report, api, ready)
    except (ManagementApiError, SettingsError) as error:
        report.fix(f"cannot check the tenant: {error}")
    return not report.failed


def _check_settings(
    report: Report, missing: list[MissingValue], connectors: tuple[Connector, ...]
) -> None:
    """One `fix:` line per value `.env` still needs (setup_status.py)."""
    for value in missing:
        report.fix(value.problem)
    if not any(value.waiting is None for value in missing):
        report.ok("LOGTO_*, APP_BASE_URL, SECRET_KEY and session settings are well-formed")
    if connectors and not any(value.waiting for value in missing):
        report.ok("the connectors' credentials are well-formed")


def _check_session_store(report: Report, values: Mapping[str, str]) -> None:
    """The store the settings name answers (store_check.py; nothing to reach for a cookie)."""
    checked = check_store(values)
    if checked is not None:
        ok, line = checked
        (report.ok if ok else report.fix)(line)


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
    if USE_BACKCHANNEL_LOGOUT:
        _check_backchannel_logout(report, app, backchannel_logout_uri(base_url))
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


def _check_optional_parts(
    report: Report, api: ManagementApi, values: Mapping[str, str], env_file: Path
) -> None:
    """What `provision` would still do for the project's optional parts (the API's resource,
    permissions and role): each missing piece is a fix."""
    target = Target(
        (values.get("APP_BASE_URL") or "").strip().removesuffix("/"),
        env_file,
        {},
        api_resource=(values.get("LOGTO_API_RESOURCE") or "").strip() or None,
    )
    for part in present_modules(__package__, "provisioning_"):
        missing = Plan()
        part.plan(api, target, missing)
        for step in missing.steps:
            report.fix(f"the tenant needs this: {step.summary}: {PROVISION}")
        if not missing.steps:
            report.ok(part.set_up(target))


def _check_backchannel_logout(report: Report, app: Mapping[str, Any], uri: str) -> None:
    """Logto POSTs logout tokens to the app's back-channel logout URI, with `sid` in them."""
    metadata, name = app["oidcClientMetadata"], app["name"]
    registered = metadata.get("backchannelLogoutUri")
    if registered != uri:
        now = f"it has {registered}" if registered else "it has none"
        report.fix(f"the app {name!r} needs the back-channel logout URI {uri} ({now}): {PROVISION}")
    elif metadata.get("backchannelLogoutSessionRequired") is not True:
        report.fix(
            f"the app {name!r} must require a session ID in logout tokens "
            f"(backchannelLogoutSessionRequired): {PROVISION}"
        )
    else:
        report.ok(f"the app {name!r} has the back-channel logout URI {uri}, with session IDs")


def _check_connectors(
    report: Report,
    api: ManagementApi,
    connectors: tuple[Connector, ...],
    configs: Mapping[Connector, dict[str, Any]],
    waiting: Mapping[Connector, list[str]],
) -> None:
    existing: list[dict[str, Any]] = api.get("/api/connectors")
    for connector in connectors:
        found = next((c for c in existing if c["connectorId"] == connector.factory_id), None)
        if connector in waiting:
            if found is None:
                report.later(waiting_line(connector, waiting[connector]))
            else:
                report.note(
                    f"the {connector.name} connector exists (id {found['id']}); its "
                    "credentials are compared with .env once they are there"
                )
            continue
        if found is None:
            in_the_way = connector.conflict(existing)
            report.fix(
                f"{in_the_way}, then {PROVISION}"
                if in_the_way
                else f"no {connector.name} connector in the tenant: {PROVISION}"
            )
            continue
        if config_differs(found["config"], configs[connector]):
            report.fix(
                f"the {connector.name} connector (id {found['id']}) holds other credentials "
                f"than .env: {PROVISION} to update it"
            )
        else:
            report.ok(f"the {connector.name} connector exists (id {found['id']})")
        for note in connector.notes(api.endpoint, found["id"]):
            report.note(note)


def _check_sign_in_experience(
    report: Report, api: ManagementApi, connectors: tuple[Connector, ...]
) -> None:
    sign_in_exp: dict[str, Any] = api.get("/api/sign-in-exp")
    say = {"ok": report.ok, "fix": report.fix, "note": report.note}
    for connector in connectors:
        for kind, message in connector.check_sign_in_experience(sign_in_exp, COMMAND):
            say[kind](message)

"""`logto provision`, `logto doctor` and `logto connectors` of a bake with both connectors,
run as a user runs them, against a real Logto: a fresh tenant, and a tenant that already has
its own settings, connector and users."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.bakes import FRAMEWORKS
from tests.support.logto_bake import (
    BOTH_CONNECTORS,
    bake_against,
    env_values,
    give_own_settings,
    logto_command,
    provisioned,
)
from tests.support.processes import free_port
from tests.support.real_logto import LogtoInstance, LogtoTenant

PHONE_CODE = {
    "identifier": "phone",
    "password": False,
    "verificationCode": True,
    "isPasswordPrimary": False,
}


def fixes(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("fix: ")]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_fresh_tenant(
    framework: str, logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path
) -> None:
    app = bake_against(
        tmp_path, logto, framework=framework, port=free_port(), answers=BOTH_CONNECTORS
    )
    before = tenant.snapshot()

    doctor = logto_command(app, "doctor")
    assert doctor.returncode != 0, doctor.stdout
    problems = fixes(doctor.stdout)
    for fragment in (
        "LOGTO_APP_ID is still the placeholder",
        "no Twilio SMS connector",
        "no Patreon connector",
        "phone sign-in with an SMS code is off",
        "Patreon is not a social sign-in button",
    ):
        assert any(fragment in line for line in problems), (fragment, doctor.stdout)
    assert "run `logto provision`" in doctor.stdout

    dry = logto_command(app, "provision", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "dry run: nothing was changed" in dry.stdout
    for request in (
        "[POST /api/applications]",
        "[POST /api/connectors]",
        "[PATCH /api/sign-in-exp]",
    ):
        assert request in dry.stdout
    assert "phone sign-up left off" in dry.stdout
    assert tenant.snapshot() == before
    assert env_values(app)["LOGTO_APP_ID"] == "your-app-id"

    applied = logto_command(app, "provision")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "done: " in applied.stdout
    sign_in_exp = tenant.call("GET", "/api/sign-in-exp")
    assert sign_in_exp["signUp"] == before["sign_in_exp"]["signUp"]  # existing users unaffected
    assert PHONE_CODE in sign_in_exp["signIn"]["methods"]
    assert sign_in_exp["socialSignInConnectorTargets"] == ["patreon"]
    env = env_values(app)
    (created,) = [
        a for a in tenant.call("GET", "/api/applications") if a["id"] == env["LOGTO_APP_ID"]
    ]
    assert created["type"] == "Traditional"
    assert created["oidcClientMetadata"]["redirectUris"] == [f"{app.base_url}/callback"]
    secrets = tenant.call("GET", f"/api/applications/{created['id']}/secrets")
    assert env["LOGTO_APP_SECRET"] in [secret["value"] for secret in secrets]

    again = logto_command(app, "provision")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "no changes" in again.stdout
    assert "phone sign-up left off" in again.stdout  # still said, still not done

    doctor = logto_command(app, "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert fixes(doctor.stdout) == []
    assert f"Redirect URI {logto.endpoint}/callback/patreon" in doctor.stdout

    assert stored_configs(tenant) == printed_configs(app)


def stored_configs(tenant: LogtoTenant) -> dict[str, Any]:
    return {c["connectorId"]: c["config"] for c in tenant.call("GET", "/api/connectors")}


def printed_configs(app: Any) -> dict[str, Any]:
    """`logto connectors --show-secrets`: each `# <factory id>: paste into ...` header, then
    its JSON (other `#` lines are notes)."""
    shown = logto_command(app, "connectors", "--show-secrets")
    assert shown.returncode == 0, shown.stderr
    blocks: dict[str, list[str]] = {}
    for line in shown.stdout.splitlines():
        if header := re.match(r"# ([a-z0-9-]+): paste into ", line):
            blocks[header.group(1)] = []
        elif not line.startswith("#"):
            blocks[list(blocks)[-1]].append(line)
    return {factory: json.loads("\n".join(lines)) for factory, lines in blocks.items()}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_tenant_with_its_own_settings(
    framework: str, logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path
) -> None:
    """Branding, policies, a social connector of its own and an existing username user
    without a phone: provision adds what the project needs and keeps all of it (the user's
    sign-in is tests/against_logto/test_browser_with_logto.py's)."""
    google = give_own_settings(tenant)
    tenant.create_user("shopper", "Shopper-Passw0rd-1")
    before = tenant.call("GET", "/api/sign-in-exp")

    app = bake_against(
        tmp_path, logto, framework=framework, port=free_port(), answers=BOTH_CONNECTORS
    )
    provisioned(app)
    after = tenant.call("GET", "/api/sign-in-exp")
    for key in ("color", "branding", "termsOfUseUrl", "privacyPolicyUrl", "signUp", "signInMode"):
        assert after[key] == before[key], key
    assert after["socialSignInConnectorTargets"] == ["google", "patreon"]
    assert after["signIn"]["methods"] == [*before["signIn"]["methods"], PHONE_CODE]
    connectors = {c["id"]: c for c in tenant.call("GET", "/api/connectors")}
    assert connectors[google["id"]]["config"] == google["config"]
    assert "no changes" in logto_command(app, "provision").stdout
    assert logto_command(app, "doctor").returncode == 0


def test_phone_sign_up_on_request(
    logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path
) -> None:
    app = bake_against(
        tmp_path, logto, framework="Quart", port=free_port(), answers=BOTH_CONNECTORS
    )
    dry = logto_command(app, "provision", "--phone-sign-up", "--dry-run")
    assert "make phone number a required sign-up identifier" in dry.stdout
    provisioned(app, "--phone-sign-up")
    sign_up = tenant.call("GET", "/api/sign-in-exp")["signUp"]
    assert sign_up["secondaryIdentifiers"] == [{"identifier": "phone", "verify": True}]
    assert sign_up["verify"] is True
    doctor = logto_command(app, "doctor")
    assert doctor.returncode == 0, doctor.stdout
    assert "ok: Logto offers new phone numbers an account" in doctor.stdout

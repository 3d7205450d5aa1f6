"""`logto provision`: bring a Logto tenant in line with this project, through the Management
API. `plan()` only reads (GET) and returns the steps; `apply()` makes them. A tenant that is
already set up gives an empty plan. URIs, social targets and sign-in methods the tenant
already has are kept: lists are merged, never replaced by ours.

Order matters: the app first, then connectors, then the sign-in experience (Logto refuses
a phone sign-up without an SMS connector and drops a social target without a connector)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..auth.sign_in_options import PATREON_TARGET
from .connectors import (
    PATREON_CONNECTOR_ID,
    PATREON_FACTORY_ID,
    TWILIO_FACTORY_ID,
    config_differs,
    patreon_callback_uri,
)
from .management_api import ManagementApi
from .provisioning_app import plan_application
from .provisioning_plan import Plan, ProvisioningError, Step, Target
from .provisioning_sign_in import sign_in_experience_changes

__all__ = ["Plan", "ProvisioningError", "Step", "Target", "apply", "plan"]

CONNECTOR_NAMES = {TWILIO_FACTORY_ID: "Twilio SMS", PATREON_FACTORY_ID: "Patreon"}


def plan(api: ManagementApi, target: Target) -> Plan:
    """The changes the tenant (and `.env`) need; reads only."""
    result = Plan()
    plan_application(api, target, result)
    _plan_connectors(api, target, result)
    _plan_sign_in_experience(api, target, result)
    return result


def apply(steps: list[Step], echo: Callable[[str], None]) -> None:
    for step in steps:
        echo(f"- {step.summary}")
        step.run()


def _plan_connectors(api: ManagementApi, target: Target, result: Plan) -> None:
    if not target.connectors:
        return
    existing: list[dict[str, Any]] = api.get("/api/connectors")
    for factory_id, config in target.connectors.items():
        name = CONNECTOR_NAMES.get(factory_id, factory_id)
        found = next((c for c in existing if c["connectorId"] == factory_id), None)
        connector_id: str = found["id"] if found else PATREON_CONNECTOR_ID
        if found is None:
            if factory_id == TWILIO_FACTORY_ID:
                _refuse_to_replace_sms(existing)
            body: dict[str, Any] = {"connectorId": factory_id, "config": dict(config)}
            if factory_id == PATREON_FACTORY_ID:
                body["id"] = PATREON_CONNECTOR_ID  # so its callback URL is known in advance
            result.steps.append(_step(api, f"create the {name} connector", "POST", "", body))
        elif config_differs(found["config"], dict(config)):
            summary = f"update the {name} connector's config (id {connector_id})"
            merged = {**found["config"], **config}  # their own keys stay
            change = {"config": merged}  # Logto replaces the config: send it whole
            result.steps.append(_step(api, summary, "PATCH", f"/{connector_id}", change))
        if factory_id == PATREON_FACTORY_ID:
            uri = patreon_callback_uri(api.endpoint, connector_id)
            result.notes.append(f"Patreon: your Patreon client needs the Redirect URI {uri}")


def _step(api: ManagementApi, summary: str, method: str, sub: str, body: dict[str, Any]) -> Step:
    path = f"/api/connectors{sub}"
    return Step(summary, method, path, body, lambda: api.request(method, path, body))


def _refuse_to_replace_sms(existing: list[dict[str, Any]]) -> None:
    """Logto keeps one SMS connector: creating Twilio's would delete the tenant's own."""
    for other in existing:
        if other.get("type") == "Sms":
            raise ProvisioningError(
                f"the tenant already has an SMS connector ({other['connectorId']}, id "
                f"{other['id']}) and Logto keeps only one: delete it in Logto Console > "
                "Connectors first if Twilio should replace it"
            )


def _plan_sign_in_experience(api: ManagementApi, target: Target, result: Plan) -> None:
    phone = TWILIO_FACTORY_ID in target.connectors
    social = [PATREON_TARGET] if PATREON_FACTORY_ID in target.connectors else []
    if not phone and not social:
        return
    wanted = sign_in_experience_changes(
        api.get("/api/sign-in-exp"),
        phone=phone,
        social_targets=social,
        phone_sign_up=target.phone_sign_up,
    )
    result.notes += wanted.held_back
    if not wanted.body:
        return
    changes = wanted.body

    def patch() -> None:
        updated = api.patch("/api/sign-in-exp", changes)
        asked = changes.get("socialSignInConnectorTargets", [])
        dropped = [t for t in asked if t not in updated["socialSignInConnectorTargets"]]
        if dropped:  # Logto silently drops targets that have no connector
            raise ProvisioningError(f"Logto dropped the social sign-in target(s) {dropped}")

    summary = "update the sign-in experience: " + "; ".join(wanted.said)
    result.steps.append(Step(summary, "PATCH", "/api/sign-in-exp", changes, patch))

"""`logto provision`: bring a Logto tenant in line with this project, through the Management
API. `plan()` only reads (GET) and returns the steps; `apply()` makes them. A tenant that is
already set up gives an empty plan. URIs, social targets and sign-in methods the tenant
already has are kept: lists are merged, never replaced by ours.

Order matters: the app first, then the optional parts (provisioning_api.py: this app's API
resource, its permissions and role), then connectors, then the sign-in experience (Logto
refuses a phone sign-up without an SMS connector and drops a social target without a
connector). What each connector needs comes from its module in `connectors/`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..connectors.connector import Connector, SignInExperienceChanges, config_differs
from ..optional_parts import present_modules
from .management_api import ManagementApi
from .provisioning_app import plan_application
from .provisioning_plan import DemoOrganization, Plan, ProvisioningError, Step, Target

__all__ = ["DemoOrganization", "Plan", "ProvisioningError", "Step", "Target", "apply", "plan"]


def plan(api: ManagementApi, target: Target) -> Plan:
    """The changes the tenant (and `.env`) need; reads only."""
    result = Plan()
    plan_application(api, target, result)
    _plan_optional_parts(api, target, result)
    _plan_connectors(api, target, result)
    _plan_sign_in_experience(api, target, result)
    return result


def apply(steps: list[Step], echo: Callable[[str], None]) -> None:
    for step in steps:
        echo(f"- {step.summary}")
        step.run()


def _plan_optional_parts(api: ManagementApi, target: Target, result: Plan) -> None:
    """What the project's optional parts need (provisioning_<part>.py: the API's resource)."""
    for part in present_modules(__package__, "provisioning_"):
        part.plan(api, target, result)


def _plan_connectors(api: ManagementApi, target: Target, result: Plan) -> None:
    if not target.connectors:
        return
    existing: list[dict[str, Any]] = api.get("/api/connectors")
    for connector, config in target.connectors.items():
        found = next((c for c in existing if c["connectorId"] == connector.factory_id), None)
        if found is None:
            if problem := connector.conflict(existing):
                raise ProvisioningError(problem)
            body: dict[str, Any] = {"connectorId": connector.factory_id, "config": dict(config)}
            if connector.connector_id:
                body["id"] = connector.connector_id  # so its callback URL is known in advance
            summary = f"create the {connector.name} connector"
            result.steps.append(_step(api, summary, "POST", "", body))
        elif config_differs(found["config"], config):
            summary = f"update the {connector.name} connector's config (id {found['id']})"
            merged = {**found["config"], **config}  # their own keys stay
            change = {"config": merged}  # Logto replaces the config: send it whole
            result.steps.append(_step(api, summary, "PATCH", f"/{found['id']}", change))
        connector_id = found["id"] if found else connector.connector_id
        if connector_id:
            result.notes += connector.notes(api.endpoint, connector_id)


def _step(api: ManagementApi, summary: str, method: str, sub: str, body: dict[str, Any]) -> Step:
    path = f"/api/connectors{sub}"
    return Step(summary, method, path, body, lambda: api.request(method, path, body))


def _plan_sign_in_experience(api: ManagementApi, target: Target, result: Plan) -> None:
    if not target.connectors:
        return
    wanted = sign_in_experience_changes(
        api.get("/api/sign-in-exp"), list(target.connectors), target.flags
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


def sign_in_experience_changes(
    current: dict[str, Any], connectors: list[Connector], flags: frozenset[str]
) -> SignInExperienceChanges:
    """Every connector's needs, each seeing the others' changes: one PATCH body."""
    result = SignInExperienceChanges()
    for connector in connectors:
        changes = connector.sign_in_experience({**current, **result.body}, flags)
        result.body.update(changes.body)
        result.said += changes.said
        result.held_back += changes.held_back
    return result

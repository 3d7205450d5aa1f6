"""`logto provision`, the API part: the API resource (LOGTO_API_RESOURCE), each permission
of api/scopes.py on it, the role ROLE_NAME holding them all, and, with
`--assign-role USER`, that role given to a user (by id, username or email).

Like the rest of `provision`, it only adds what is missing: a resource, scope or role the
tenant already has is kept as it is, and another role's permissions are never touched."""

from __future__ import annotations

from typing import Any

from ..about import PROJECT_NAME
from ..api.scopes import API_SCOPES, ROLE_DESCRIPTION, ROLE_NAME
from .management_api import ManagementApi
from .provisioning_plan import Plan, ProvisioningError, Step, Target
from .tenant_lookups import all_pages, find_user


def plan(api: ManagementApi, target: Target, result: Plan) -> None:
    """The steps that give the tenant this app's API resource, its scopes and role."""
    if target.api_resource is None:
        return
    ids: dict[str, str] = {}  # what the steps create, for the steps after them
    resource = _resource(api, target.api_resource)
    if resource is None:
        _create_resource(api, target.api_resource, ids, result)
        existing_scopes: dict[str, str] = {}
    else:
        ids["resource"] = resource["id"]
        existing_scopes = {scope["name"]: scope["id"] for scope in resource.get("scopes", [])}
    for name, description in API_SCOPES.items():
        if name in existing_scopes:
            ids[f"scope:{name}"] = existing_scopes[name]
        else:
            _create_scope(api, name, description, ids, result)
    role = _role(api, ROLE_NAME)
    if role is None:
        _create_role(api, ids, result)
    else:
        if role["type"] != "User":
            raise ProvisioningError(
                f"the role {ROLE_NAME!r} exists as a {role['type']} role: rename it in Logto "
                "Console > Roles, or give this project's role another name in api/scopes.py"
            )
        ids["role"] = role["id"]
        held = {scope["id"] for scope in all_pages(api, f"/api/roles/{role['id']}/scopes")}
        _add_missing_scopes(api, role["id"], held, ids, result)
    if target.assign_role_to:
        _assign_role(api, target.assign_role_to, ids, result)


def set_up(target: Target) -> str:
    """What `logto doctor` says when the tenant has everything `plan` would create."""
    return f"the API resource {target.api_resource} has its permissions and the role {ROLE_NAME!r}"


def _resource(api: ManagementApi, indicator: str) -> dict[str, Any] | None:
    resources: list[dict[str, Any]] = api.get("/api/resources", {"includeScopes": "true"})
    return next((r for r in resources if r["indicator"] == indicator), None)


def _create_resource(api: ManagementApi, indicator: str, ids: dict[str, str], result: Plan) -> None:
    body = {"name": f"{PROJECT_NAME} API", "indicator": indicator}

    def run() -> None:
        ids["resource"] = api.post("/api/resources", body)["id"]

    summary = f"create the API resource {indicator!r}"
    result.steps.append(Step(summary, "POST", "/api/resources", body, run))


def _create_scope(
    api: ManagementApi, name: str, description: str, ids: dict[str, str], result: Plan
) -> None:
    body = {"name": name, "description": description}

    def run() -> None:
        ids[f"scope:{name}"] = api.post(f"/api/resources/{ids['resource']}/scopes", body)["id"]

    path = "/api/resources/{resource}/scopes"
    result.steps.append(Step(f"add the permission {name!r} to the API", "POST", path, body, run))


def _role(api: ManagementApi, name: str) -> dict[str, Any] | None:
    return next((role for role in all_pages(api, "/api/roles") if role["name"] == name), None)


def _create_role(api: ManagementApi, ids: dict[str, str], result: Plan) -> None:
    body: dict[str, Any] = {"name": ROLE_NAME, "description": ROLE_DESCRIPTION, "type": "User"}

    def run() -> None:
        scope_ids = [ids[f"scope:{name}"] for name in API_SCOPES]
        ids["role"] = api.post("/api/roles", {**body, "scopeIds": scope_ids})["id"]

    summary = f"create the role {ROLE_NAME!r} with the permissions {', '.join(API_SCOPES)}"
    result.steps.append(Step(summary, "POST", "/api/roles", body, run))


def _add_missing_scopes(
    api: ManagementApi, role_id: str, held: set[str], ids: dict[str, str], result: Plan
) -> None:
    missing = [name for name in API_SCOPES if ids.get(f"scope:{name}") not in held]
    if not missing:
        return
    path = f"/api/roles/{role_id}/scopes"

    def run() -> None:
        api.post(path, {"scopeIds": [ids[f"scope:{name}"] for name in missing]})

    summary = f"give the role {ROLE_NAME!r} the permissions {', '.join(missing)}"
    result.steps.append(Step(summary, "POST", path, None, run))


def _assign_role(api: ManagementApi, who: str, ids: dict[str, str], result: Plan) -> None:
    user = find_user(api, who)
    if "role" in ids:
        roles = all_pages(api, f"/api/users/{user['id']}/roles")
        if any(role["id"] == ids["role"] for role in roles):
            return
    path = f"/api/users/{user['id']}/roles"

    def run() -> None:
        api.post(path, {"roleIds": [ids["role"]]})

    summary = f"give the user {who!r} ({user['id']}) the role {ROLE_NAME!r}"
    result.steps.append(Step(summary, "POST", path, None, run))

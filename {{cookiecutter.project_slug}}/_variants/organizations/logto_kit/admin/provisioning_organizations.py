"""`logto provision`, the organizations part: the organization role the app's guards name
(`ADMIN_ROLE`, which `organization_required(role="admin")` pages ask for) in the tenant's
organization template, and, with `--demo-organization USER`, an organization to try the
organization pages with at once: named "Demo organization" (or `--demo-organization-name`),
with that user as a member holding the role.

Like the rest of `provision`, it only adds what is missing, so a second run changes nothing.
Logto does not keep organization names unique: the user's own organization of that name is
used, else the first of that name in the tenant, else a new one."""

from __future__ import annotations

from typing import Any

from ..auth.organizations import ADMIN_ROLE
from .management_api import ManagementApi
from .provisioning_plan import DemoOrganization, Plan, ProvisioningError, Step, Target
from .tenant_lookups import all_pages, find_user

ROLE_DESCRIPTION = "Administers the organization (this app's organization_required pages)"
DEMO_DESCRIPTION = "Made by logto provision --demo-organization, to try the organization pages"


def plan(api: ManagementApi, target: Target, result: Plan) -> None:
    """The steps that give the tenant the organization role, and the demo organization."""
    if not target.organizations:
        return
    ids: dict[str, str] = {}  # what the steps create, for the steps after them
    role = next(
        (r for r in all_pages(api, "/api/organization-roles") if r["name"] == ADMIN_ROLE), None
    )
    if role is None:
        _create_role(api, ids, result)
    elif role["type"] != "User":
        raise ProvisioningError(
            f"the organization role {ADMIN_ROLE!r} exists as a {role['type']} role, which users "
            "cannot hold: rename it in Logto Console > Organization template, or change "
            "ADMIN_ROLE in logto_kit/auth/organizations.py"
        )
    else:
        ids["role"] = role["id"]
    if target.demo_organization:
        _plan_demo_organization(api, target.demo_organization, ids, result)


def set_up(target: Target) -> str:
    """What `logto doctor` says when the tenant has everything `plan` would create."""
    return f"the tenant has the organization role {ADMIN_ROLE!r} the organization pages ask for"


def _create_role(api: ManagementApi, ids: dict[str, str], result: Plan) -> None:
    body = {
        "name": ADMIN_ROLE,
        "description": ROLE_DESCRIPTION,
        "organizationScopeIds": [],
        "resourceScopeIds": [],
    }

    def run() -> None:
        ids["role"] = api.post("/api/organization-roles", body)["id"]

    summary = f"create the organization role {ADMIN_ROLE!r} (the organization pages ask for it)"
    result.steps.append(Step(summary, "POST", "/api/organization-roles", body, run))


def _plan_demo_organization(
    api: ManagementApi, demo: DemoOrganization, ids: dict[str, str], result: Plan
) -> None:
    user = find_user(api, demo.member)
    who = f"the user {demo.member!r} ({user['id']})"
    theirs: list[dict[str, Any]] = api.get(f"/api/users/{user['id']}/organizations")
    member_of = next((o for o in theirs if o["name"] == demo.name), None)
    if member_of is not None:
        ids["organization"] = member_of["id"]
        held = {role["id"] for role in member_of["organizationRoles"]}
        if ids.get("role") not in held:
            _give_role(api, demo, user["id"], who, ids, result)
        return
    found = next((o for o in all_pages(api, "/api/organizations") if o["name"] == demo.name), None)
    if found is None:
        _create_organization(api, demo, ids, result)
    else:
        ids["organization"] = found["id"]
    body = {"userIds": [user["id"]]}

    def add_member() -> None:
        api.post(f"/api/organizations/{ids['organization']}/users", body)

    summary = f"make {who} a member of the organization {demo.name!r}"
    path = "/api/organizations/{organization}/users"
    result.steps.append(Step(summary, "POST", path, body, add_member))
    _give_role(api, demo, user["id"], who, ids, result)


def _create_organization(
    api: ManagementApi, demo: DemoOrganization, ids: dict[str, str], result: Plan
) -> None:
    body = {"name": demo.name, "description": DEMO_DESCRIPTION}

    def run() -> None:
        ids["organization"] = api.post("/api/organizations", body)["id"]

    summary = f"create the organization {demo.name!r}"
    result.steps.append(Step(summary, "POST", "/api/organizations", body, run))


def _give_role(
    api: ManagementApi,
    demo: DemoOrganization,
    user_id: str,
    who: str,
    ids: dict[str, str],
    result: Plan,
) -> None:
    def run() -> None:
        path = f"/api/organizations/{ids['organization']}/users/{user_id}/roles"
        api.post(path, {"organizationRoleIds": [ids["role"]]})

    summary = f"give {who} the organization role {ADMIN_ROLE!r} in {demo.name!r}"
    path = "/api/organizations/{organization}/users/{user}/roles"
    result.steps.append(Step(summary, "POST", path, None, run))

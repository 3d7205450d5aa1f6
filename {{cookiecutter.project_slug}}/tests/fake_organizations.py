"""The fake tenant's organizations, organization roles and memberships (what `logto provision
--demo-organization` sets up), answering as Logto 1.37 does: names of organizations may repeat,
organization role names may not (422), adding a member or a role twice is no error, a role is
given to members only and never a machine's role to a user (tests/against_logto compares them
with a real Logto)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from .fake_rbac import FakeRbac, Response, _error, _page

CREATED = "Created"  # what Logto answers (as text/plain) when members or their roles are added


def _foreign_key_missing() -> Response:
    return _error(
        422, "entity.relation_foreign_key_not_found", "Cannot find one or more foreign keys."
    )


class FakeOrganizations(FakeRbac):
    """Mixed into FakeTenant: its `handle` finds the `_<method>_<path>` handlers below."""

    def __init__(self) -> None:
        super().__init__()
        self.organizations: list[dict[str, Any]] = []
        self.organization_roles: list[dict[str, Any]] = []
        #: organization id -> user id -> the ids of the organization roles the user holds there
        self.members: dict[str, dict[str, list[str]]] = {}

    # -- organization roles (the organization template) ------------------------------------
    def _get_organization_roles(self, rest: list[str], query: dict[str, str], _: Any) -> Response:
        by_name = sorted(self.organization_roles, key=lambda role: role["name"])  # as Logto
        listed = [{**role, "scopes": [], "resourceScopes": []} for role in by_name]
        return 200, _page(listed, query)

    def _post_organization_roles(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        if any(role["name"] == body["name"] for role in self.organization_roles):
            return _error(422, "entity.unique_integrity_violation", "The entity already exists.")
        role = {
            "tenantId": "default",
            "id": secrets.token_hex(10),
            "name": body["name"],
            "description": body.get("description"),
            "type": body.get("type", "User"),
        }
        self.organization_roles.append(role)
        return 201, role

    # -- organizations and their members ---------------------------------------------------
    def add_organization(self, name: str) -> dict[str, Any]:
        organization: dict[str, Any] = self._post_organizations([], {}, {"name": name})[1]
        return organization

    def _get_organizations(self, rest: list[str], query: dict[str, str], _: Any) -> Response:
        by_id = sorted(self.organizations, key=lambda o: o["id"])  # as Logto lists them
        return 200, _page(by_id, query)

    def _post_organizations(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        if rest:
            return self._post_organization_members(rest, body)
        organization = {
            "tenantId": "default",
            "id": secrets.token_hex(6),
            "name": body["name"],
            "description": body.get("description"),
            "customData": {},
            "isMfaRequired": False,
            "color": {},
            "branding": {},
            "customCss": None,
            "createdAt": int(time.time() * 1000),
        }
        self.organizations.append(organization)
        self.members[organization["id"]] = {}
        return 201, organization

    def _post_organization_members(self, rest: list[str], body: Any) -> Response:
        members = self.members.get(rest[0])
        if rest[1:] == ["users"]:
            if not body["userIds"]:
                return _error(400, "guard.invalid_input", "Array must contain at least 1 element")
            known = {user["id"] for user in self.users}
            if members is None or not set(body["userIds"]) <= known:
                return _foreign_key_missing()
            for user_id in body["userIds"]:
                members.setdefault(user_id, [])
            return 201, CREATED
        if len(rest) == 4 and rest[1] == "users" and rest[3] == "roles":
            if members is None or rest[2] not in members:
                return _error(
                    422,
                    "organization.require_membership",
                    "The user must be a member of the organization to proceed.",
                )
            asked = body.get("organizationRoleIds") or []
            if not asked:
                return _error(422, "entity.invalid_input", "Value list must not be empty.")
            kinds = {role["id"]: role["type"] for role in self.organization_roles}
            if not set(asked) <= set(kinds):
                return _foreign_key_missing()
            if any(kinds[role_id] != "User" for role_id in asked):  # a machine's role
                return _error(422, "entity.db_constraint_violated", "Database constraint violated.")
            held = members[rest[2]]
            held += [role_id for role_id in asked if role_id not in held]
            return 201, CREATED
        return _error(404, "entity.not_found", "The resource does not exist.")

    def user_organizations(self, user_id: str) -> list[dict[str, Any]]:
        """`GET /api/users/{id}/organizations`: the user's organizations with their roles."""
        names = {role["id"]: role["name"] for role in self.organization_roles}
        return [
            {
                **organization,
                "organizationRoles": [
                    {"id": role_id, "name": names[role_id]}
                    for role_id in self.members[organization["id"]][user_id]
                ],
            }
            for organization in self.organizations
            if user_id in self.members[organization["id"]]
        ]

    def _get_users(self, rest: list[str], query: dict[str, str], body: Any) -> Response:
        if rest[1:] == ["organizations"]:
            if not any(user["id"] == rest[0] for user in self.users):
                return _error(404, "entity.not_found", "The resource does not exist.")
            return 200, self.user_organizations(rest[0])
        return super()._get_users(rest, query, body)

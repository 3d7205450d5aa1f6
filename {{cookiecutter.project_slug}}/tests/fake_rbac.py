"""The fake tenant's API resources, roles and users (what `logto provision` sets up for a
project's API), answering as Logto 1.37 does: pages, the 422 rules on names, indicators and
role assignments (tests/against_logto compares them with a real Logto)."""

from __future__ import annotations

import secrets
import time
from typing import Any

Response = tuple[int, Any]
MANAGEMENT_API = "https://default.logto.app/api"


def _id() -> str:
    return secrets.token_hex(8)


def _error(status: int, code: str, message: str) -> Response:
    return status, {"code": code, "message": message}


def _page(items: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    """Logto's pages: 20 items unless `page_size` says (at most 100)."""
    size = min(int(query.get("page_size", 20)), 100)
    start = (int(query.get("page", 1)) - 1) * size
    return items[start : start + size]


class FakeRbac:
    """Mixed into FakeTenant: its `handle` finds the `_<method>_<path>` handlers below."""

    def __init__(self) -> None:
        self.resources: list[dict[str, Any]] = []
        self.scopes: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.role_scopes: dict[str, list[str]] = {}  # role id -> scope ids
        self.users: list[dict[str, Any]] = []
        self.user_roles: dict[str, list[str]] = {}  # user id -> role ids
        # Every tenant has the Management API, with its one scope `all`.
        management = self._post_resources(
            [], {}, {"name": "Logto Management API", "indicator": MANAGEMENT_API}
        )
        self._post_resource_scope(management[1]["id"], {"name": "all", "description": "Default"})
        self.resources[0]["isDefault"] = False

    def add_user(self, username: str, email: str | None = None) -> dict[str, Any]:
        user_id = _id()
        user = {"id": user_id, "username": username, "primaryEmail": email, "name": None}
        self.users.append(user)
        self.user_roles[user_id] = []
        return user

    # -- resources and their scopes ---------------------------------------------------------
    def _get_resources(self, rest: list[str], query: dict[str, str], _: Any) -> Response:
        with_scopes = query.get("includeScopes") in ("true", "1", "yes")
        return 200, [
            {**r, "scopes": self._scopes_of(r["id"])} if with_scopes else r for r in self.resources
        ]

    def _post_resources(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        if rest:
            return self._post_resource_scope(rest[0], body)
        if any(r["indicator"] == body["indicator"] for r in self.resources):
            return _error(422, "resource.resource_identifier_in_use", "indicator in use")
        resource = {
            "tenantId": "default",
            "id": _id(),
            "name": body["name"],
            "indicator": body["indicator"],
            "isDefault": False,
            "accessTokenTtl": body.get("accessTokenTtl", 3600),
        }
        self.resources.append(resource)
        return 201, {**resource, "scopes": []}

    def _post_resource_scope(self, resource_id: str, body: dict[str, Any]) -> Response:
        resource = next((r for r in self.resources if r["id"] == resource_id), None)
        if resource is None:
            return _error(404, "entity.not_exists_with_id", "resource not found")
        if any(char.isspace() for char in body["name"]):
            return _error(400, "scope.name_with_space", "no spaces in a scope name")
        if any(s["name"] == body["name"] for s in self._scopes_of(resource_id)):
            return _error(422, "scope.name_exists", "scope name in use")
        scope = {
            "tenantId": "default",
            "id": _id(),
            "resourceId": resource_id,
            "name": body["name"],
            "description": body.get("description"),
            "createdAt": int(time.time() * 1000),
        }
        self.scopes.append(scope)
        return 201, scope

    def _scopes_of(self, resource_id: str) -> list[dict[str, Any]]:
        """Newest first, as Logto lists them."""
        return [s for s in reversed(self.scopes) if s["resourceId"] == resource_id]

    # -- roles --------------------------------------------------------------------------------
    def _get_roles(self, rest: list[str], query: dict[str, str], _: Any) -> Response:
        if not rest:
            return 200, _page(self.roles, query)
        role = self._role(rest[0])
        if role is None:
            return _error(404, "entity.not_exists_with_id", "role not found")
        if rest[1:] == ["scopes"]:
            held = [s for s in reversed(self.scopes) if s["id"] in self.role_scopes[role["id"]]]
            return 200, _page(held, query)
        return 200, role

    def _post_roles(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        if rest:
            return self._post_role_scopes(rest[0], body["scopeIds"])
        if any(r["name"] == body["name"] for r in self.roles):
            return _error(422, "role.name_in_use", "role name in use")
        role = {
            "tenantId": "default",
            "id": _id(),
            "name": body["name"],
            "description": body["description"],
            "type": body.get("type", "User"),
            "isDefault": body.get("isDefault", False),
        }
        scope_ids = body.get("scopeIds") or []
        if problem := self._unassignable(role, scope_ids):
            return problem
        self.roles.append(role)
        self.role_scopes[role["id"]] = list(scope_ids)
        return 200, role

    def _post_role_scopes(self, role_id: str, scope_ids: list[str]) -> Response:
        role = self._role(role_id)
        if role is None:
            return _error(404, "entity.not_exists_with_id", "role not found")
        if not scope_ids:
            return _error(400, "guard.invalid_input", "scopeIds must not be empty")
        if any(scope_id in self.role_scopes[role_id] for scope_id in scope_ids):
            return _error(422, "role.scope_exists", "the role has this scope")
        if problem := self._unassignable(role, scope_ids):
            return problem
        self.role_scopes[role_id] += scope_ids
        return 201, [s for s in reversed(self.scopes) if s["id"] in self.role_scopes[role_id]]

    def _unassignable(self, role: dict[str, Any], scope_ids: list[str]) -> Response | None:
        for scope_id in scope_ids:
            scope = next((s for s in self.scopes if s["id"] == scope_id), None)
            if scope is None:
                return _error(404, "entity.not_exists_with_id", "scope not found")
        return None

    def _role(self, role_id: str) -> dict[str, Any] | None:
        return next((r for r in self.roles if r["id"] == role_id), None)

    # -- users and their roles ------------------------------------------------------------------
    def _get_users(self, rest: list[str], query: dict[str, str], _: Any) -> Response:
        if not rest:
            found = [
                user
                for user in self.users
                if all(
                    user.get(key.removeprefix("search.")) == value
                    for key, value in query.items()
                    if key.startswith("search.")
                )
            ]
            return 200, _page(found, query)
        user = next((u for u in self.users if u["id"] == rest[0]), None)
        if user is None:
            return _error(404, "entity.not_exists_with_id", "user not found")
        if rest[1:] == ["roles"]:
            return 200, _page(
                [r for r in self.roles if r["id"] in self.user_roles[user["id"]]], query
            )
        return 200, user

    def _post_users(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        if not rest:
            if any(u["username"] == body.get("username") for u in self.users):
                return _error(422, "user.username_already_in_use", "username in use")
            return 200, self.add_user(body.get("username", ""), body.get("primaryEmail"))
        user = next((u for u in self.users if rest and u["id"] == rest[0]), None)
        if user is None or rest[1:] != ["roles"]:
            return _error(404, "entity.not_found", "The resource does not exist.")
        added = [r for r in body["roleIds"] if r not in self.user_roles[user["id"]]]
        for role_id in added:
            role = self._role(role_id)
            if role is None:
                return _error(404, "entity.not_exists_with_id", "role not found")
            if role["type"] != "User":
                return _error(422, "user.invalid_role_type", "not a user role")
        self.user_roles[user["id"]] += added
        return 201, {"roleIds": body["roleIds"], "addedRoleIds": added}

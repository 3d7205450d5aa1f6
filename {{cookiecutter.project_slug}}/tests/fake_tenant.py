"""The state behind the fake Management API: a tenant's applications (with secrets),
connectors, sign-in experience, API resources, roles, users and organizations, changed like
Logto changes them (see fake_management_api.py for the HTTP side)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from .chosen_connectors import IN_LOGTO
from .fake_organizations import FakeOrganizations
from .management_api_rules import check_sign_in_experience

# What this fake Logto has installed: two of Logto's connectors that are the tenant's own (no
# project adds them), and this project's. factory id -> (connector type, social target, the
# config keys its guard requires as strings: Logto answers 400 without them)
INSTALLED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "aliyun-short-message-service": (
        "Sms",
        "aliyun-sms",
        ("accessKeyId", "accessKeySecret", "signName"),
    ),
    "google-universal": ("Social", "google", ("clientId", "clientSecret")),
    **IN_LOGTO,
}
FACTORIES = {factory: (kind, target) for factory, (kind, target, _) in INSTALLED.items()}
REQUIRED_CONFIG = {factory: keys for factory, (_, _, keys) in INSTALLED.items()}
SMS_USAGE_TYPES = {"Register", "SignIn", "ForgotPassword", "Generic"}
Response = tuple[int, Any]


def default_sign_in_experience() -> dict[str, Any]:
    """A fresh self-hosted tenant: username and password."""
    return {
        "tenantId": "default",
        "id": "default",
        "signIn": {
            "methods": [
                {
                    "identifier": "username",
                    "password": True,
                    "verificationCode": False,
                    "isPasswordPrimary": True,
                }
            ]
        },
        "signUp": {"identifiers": ["username"], "password": True, "verify": False},
        "socialSignIn": {},
        "socialSignInConnectorTargets": [],
        "signInMode": "SignInAndRegister",
    }


class FakeTenant(FakeOrganizations):
    """Seed it with `add_application` / `add_connector` / `add_user` / `add_organization` or
    by editing the attributes (API resources, roles and users: fake_rbac.py; organizations:
    fake_organizations.py)."""

    def __init__(self) -> None:
        super().__init__()
        self.applications: dict[str, dict[str, Any]] = {}
        self.secrets: dict[str, list[dict[str, Any]]] = {}
        self.connectors: list[dict[str, Any]] = []
        self.sign_in_experience = default_sign_in_experience()

    def add_application(
        self,
        name: str,
        redirect_uris: list[str],
        post_logout_uris: list[str],
        app_type: str = "Traditional",
        app_id: str | None = None,
    ) -> dict[str, Any]:
        return self._new_application(
            {
                "name": name,
                "type": app_type,
                "oidcClientMetadata": {
                    "redirectUris": redirect_uris,
                    "postLogoutRedirectUris": post_logout_uris,
                },
            },
            app_id,
        )

    def add_connector(
        self, factory_id: str, config: dict[str, Any], connector_id: str | None = None
    ) -> dict[str, Any]:
        kind, target = FACTORIES[factory_id]
        connector = {
            "id": connector_id or secrets.token_hex(6),
            "connectorId": factory_id,
            "config": config,
            "type": kind,
            "target": target,
            "syncProfile": False,
            "enableTokenStorage": False,
            "metadata": {},
            "platform": "Universal" if kind == "Social" else None,
        }
        self.connectors.append(connector)
        return connector

    def handle(self, method: str, parts: list[str], query: dict[str, str], body: Any) -> Response:
        """Answer `method /api/<parts...>`; a broken Logto rule raises `RuleError` (422)."""
        handler = getattr(self, f"_{method.lower()}_{parts[0].replace('-', '_')}", None)
        if handler is None:
            return error(404, "guard.invalid_input", f"no route {method} /api/{parts[0]}")
        result: Response = handler(parts[1:], query, body)
        return result

    def _get_applications(self, rest: list[str], query: dict[str, str], _: Any) -> Response:
        if not rest:
            types = query.get("types")
            apps = [a for a in self.applications.values() if not types or a["type"] == types]
            return 200, apps
        app = self.applications.get(rest[0])
        if app is None:
            return error(404, "entity.not_exists_with_id", "application not found")
        if rest[1:] == ["secrets"]:
            return 200, self.secrets[app["id"]]
        return 200, {**app, "isAdmin": False}

    def _post_applications(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        if not rest:
            return 200, self._new_application(body, None)
        if rest[0] not in self.applications:  # the secret's foreign key, as Logto reports it
            return error(404, "entity.relation_foreign_key_not_found", "no such application")
        if any(s["name"] == body["name"] for s in self.secrets[rest[0]]):
            return error(422, "application.secret_name_exists", "secret name in use")
        return 201, self._new_secret(rest[0], body["name"], body.get("expiresAt"))

    def _patch_applications(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        app = self.applications.get(rest[0])
        if app is None:
            return error(404, "entity.not_exists_with_id", "application not found")
        app.update(body)  # Logto replaces each given top-level (jsonb) value
        return 200, app

    def _get_connectors(self, rest: list[str], _: dict[str, str], __: Any) -> Response:
        return 200, self.connectors

    def _post_connectors(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        factory = FACTORIES.get(body["connectorId"])
        if factory is None:
            return error(422, "connector.not_found_with_connector_id", "no such connector")
        kind = factory[0]
        if problem := config_problem(body["connectorId"], body.get("config", {})):
            return problem
        if kind == "Social" and any(
            c["connectorId"] == body["connectorId"] for c in self.connectors
        ):
            return error(422, "connector.multiple_instances_not_supported", "only one")
        if kind == "Sms":  # Logto keeps one SMS connector: the new one replaces the others
            self.connectors = [c for c in self.connectors if c["type"] != "Sms"]
        connector = self.add_connector(body["connectorId"], body.get("config", {}), body.get("id"))
        return 200, connector

    def _patch_connectors(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        connector = next((c for c in self.connectors if c["id"] == rest[0]), None)
        if connector is None:
            return error(404, "entity.not_found", "The resource does not exist.")
        if not body:
            return error(422, "entity.invalid_input", "nothing to update")
        factory_id = connector["connectorId"]
        if "config" in body and (problem := config_problem(factory_id, body["config"])):
            return problem
        connector.update(body)
        return 200, connector

    def _get_sign_in_exp(self, rest: list[str], _: dict[str, str], __: Any) -> Response:
        return 200, self.sign_in_experience

    def _patch_sign_in_exp(self, rest: list[str], _: dict[str, str], body: Any) -> Response:
        applied = check_sign_in_experience(body, self.sign_in_experience, self.connectors)
        self.sign_in_experience.update(applied)
        return 200, self.sign_in_experience

    def _new_application(self, body: dict[str, Any], app_id: str | None) -> dict[str, Any]:
        app = {
            "tenantId": "default",
            "id": app_id or secrets.token_hex(8),
            "secret": "internal_" + secrets.token_hex(8),
            "description": None,
            "customClientMetadata": {},
            "protectedAppMetadata": None,
            "customData": {},
            "isThirdParty": False,
            "createdAt": int(time.time() * 1000),
            "oidcClientMetadata": {"redirectUris": [], "postLogoutRedirectUris": []},
        } | body
        self.applications[app["id"]] = app
        self.secrets[app["id"]] = []
        if app["type"] in ("Traditional", "MachineToMachine"):
            self._new_secret(app["id"], "Default secret", None)
        return app

    def _new_secret(self, app_id: str, name: str, expires_at: int | None) -> dict[str, Any]:
        secret = {
            "tenantId": "default",
            "applicationId": app_id,
            "name": name,
            "value": secrets.token_hex(16),
            "createdAt": int(time.time() * 1000),
            "expiresAt": expires_at,
        }
        self.secrets[app_id].append(secret)
        return secret


def config_problem(factory_id: str, config: dict[str, Any]) -> Response | None:
    """Logto's 400 for a config its connector's guard refuses; None when it passes."""
    missing = [k for k in REQUIRED_CONFIG[factory_id] if not isinstance(config.get(k), str)]
    if FACTORIES[factory_id][0] == "Sms":  # every SMS connector: a text per usage type
        usage = {t.get("usageType") for t in config.get("templates") or []}
        missing += [] if usage >= SMS_USAGE_TYPES else ["templates"]
    if missing:
        return error(400, "connector.invalid_config", f"invalid config: {', '.join(missing)}")
    return None


def error(status: int, code: str, message: str) -> Response:
    return status, {"code": code, "message": message}

"""`logto provision`, the application part: the Traditional web app named after the project,
with our redirect URIs added to the ones it has, and its ID and a secret in `.env`.

Since Logto 1.19 an app's secrets live at `/api/applications/{id}/secrets` (a new
Traditional app gets one named "Default secret"); the app's own `secret` field is internal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dotenv import set_key

from ..settings import read_env
from .management_api import ManagementApi
from .provisioning_plan import Plan, Step, Target

APP_TYPE = "Traditional"
METADATA_KEYS = (  # the oidcClientMetadata keys UpdateApplication accepts
    "redirectUris",
    "postLogoutRedirectUris",
    "backchannelLogoutUri",
    "backchannelLogoutSessionRequired",
    "logoUri",
)
SECRET_NAME = "logto provision"


def plan_application(api: ManagementApi, target: Target, result: Plan) -> None:
    env = read_env_file(target.env_file)
    apps = [
        app
        for app in api.get("/api/applications", {"types": APP_TYPE})
        if app["name"] == target.project_name and app["type"] == APP_TYPE
    ]
    if not apps:
        _plan_new_application(api, target, result)
        return
    app = next((app for app in apps if app["id"] == env.get("LOGTO_APP_ID")), apps[0])
    app_id: str = app["id"]
    if len(apps) > 1:
        result.notes.append(f"{len(apps)} apps are named {target.project_name!r}: using {app_id}")
    path = f"/api/applications/{app_id}"
    metadata = {k: v for k, v in app["oidcClientMetadata"].items() if k in METADATA_KEYS}
    merged = with_uris(metadata, target)
    if merged != metadata:
        body = {"oidcClientMetadata": merged}  # Logto replaces the whole object: send it all
        summary = (
            f"add {target.redirect_uri} and {target.post_sign_out_redirect_uri} to the "
            f"redirect URIs of the app {target.project_name!r} ({app_id})"
        )
        if target.backchannel_logout:
            summary += f", with the back-channel logout URI {target.backchannel_logout_uri}"
        result.steps.append(Step(summary, "PATCH", path, body, lambda: api.patch(path, body)))
    secrets = api.get(f"{path}/secrets")
    secret = usable_secret(secrets, env.get("LOGTO_APP_SECRET"))
    if secret is None:
        taken = {item["name"] for item in secrets}
        name = SECRET_NAME if SECRET_NAME not in taken else f"{SECRET_NAME} {int(time.time())}"
        created: dict[str, Any] = {}
        result.steps.append(
            Step(
                f"add the app secret {name!r} (the app has no unexpired one)",
                "POST",
                f"{path}/secrets",
                {"name": name},
                lambda: created.update(api.post(f"{path}/secrets", {"name": name})),
            )
        )
        _plan_env(target, result, lambda: app_id, lambda: str(created["value"]))
    elif (env.get("LOGTO_APP_ID"), env.get("LOGTO_APP_SECRET")) != (app_id, secret):
        _plan_env(target, result, lambda: app_id, lambda: secret)


def _plan_new_application(api: ManagementApi, target: Target, result: Plan) -> None:
    body = {
        "name": target.project_name,
        "type": APP_TYPE,
        "description": "Created by logto provision",
        "oidcClientMetadata": with_uris({}, target),
    }
    created: dict[str, Any] = {}
    summary = (
        f"create the Traditional web app {target.project_name!r} with the redirect URIs "
        f"{target.redirect_uri} and {target.post_sign_out_redirect_uri}"
    )
    if target.backchannel_logout:
        summary += f", and the back-channel logout URI {target.backchannel_logout_uri}"
    result.steps.append(
        Step(
            summary,
            "POST",
            "/api/applications",
            body,
            lambda: created.update(api.post("/api/applications", body)),
        )
    )

    def new_secret() -> str:
        path = f"/api/applications/{created['id']}/secrets"
        found = usable_secret(api.get(path), None)
        return found or str(api.post(path, {"name": SECRET_NAME})["value"])

    _plan_env(target, result, lambda: str(created["id"]), new_secret)


def _plan_env(
    target: Target, result: Plan, app_id: Callable[[], str], secret: Callable[[], str]
) -> None:
    def write() -> None:
        wanted = {"LOGTO_APP_ID": app_id(), "LOGTO_APP_SECRET": secret()}
        current = read_env_file(target.env_file)
        for key, value in wanted.items():
            if current.get(key) != value:  # every other line stays as it is
                set_key(target.env_file, key, value, quote_mode="auto")

    summary = f"write the app's LOGTO_APP_ID and LOGTO_APP_SECRET into {target.env_file}"
    result.steps.append(Step(summary, "WRITE", str(target.env_file), None, write))


def with_uris(metadata: Mapping[str, Any], target: Target) -> dict[str, Any]:
    """`metadata` with our redirect URIs appended where missing; theirs stay. With back-channel
    logout, also our back-channel logout URI (an app has one), with `sid` in its tokens."""
    merged = dict(metadata)
    if target.backchannel_logout:
        merged["backchannelLogoutUri"] = target.backchannel_logout_uri
        merged["backchannelLogoutSessionRequired"] = True
    for key, uri in (
        ("redirectUris", target.redirect_uri),
        ("postLogoutRedirectUris", target.post_sign_out_redirect_uri),
    ):
        uris = list(merged.get(key) or [])
        merged[key] = uris if uri in uris else [*uris, uri]
    return merged


def usable_secret(secrets: list[dict[str, Any]], preferred: str | None) -> str | None:
    """`preferred` when it is one of the unexpired secrets, else the first of them."""
    now_ms = time.time() * 1000
    usable = [s["value"] for s in secrets if s.get("expiresAt") is None or s["expiresAt"] > now_ms]
    return preferred if preferred in usable else next(iter(usable), None)


def read_env_file(env_file: Path) -> dict[str, str]:
    """`env_file`'s own entries (not the environment's): what `provision` writes into."""
    return read_env(env_file, environ={}) if env_file.exists() else {}

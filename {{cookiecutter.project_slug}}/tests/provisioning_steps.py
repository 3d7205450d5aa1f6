"""Steps the provisioning tests share: a target for this project, and a plan made at once."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from logto_kit.admin.management_api import ManagementApi
from logto_kit.admin.provisioning import Plan, Target, apply, plan
from logto_kit.connectors import CHOSEN
from logto_kit.connectors.connector import Connector

from .chosen_connectors import CONNECTOR_ENV

PHONE_CODE = {
    "identifier": "phone",
    "password": False,
    "verificationCode": True,
    "isPasswordPrimary": False,
}


def chosen_configs(**changes: str) -> dict[Connector, dict[str, Any]]:
    """Every chosen connector with its config from well-formed `.env` values (and `changes`)."""
    return {connector: connector.config({**CONNECTOR_ENV, **changes}) for connector in CHOSEN}


def target(
    tmp_path: Path, connectors: Mapping[Connector, Mapping[str, Any]], **kwargs: Any
) -> Target:
    kwargs.setdefault("backchannel_logout", False)  # their own tests ask for these
    kwargs.setdefault("organizations", False)
    return Target("http://localhost:3000", tmp_path / ".env", connectors, "Demo", **kwargs)


def provision(api: ManagementApi, goal: Target) -> Plan:
    result = plan(api, goal)
    apply(result.steps, lambda line: None)
    return result

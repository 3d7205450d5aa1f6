"""What the fake Management API checks: request bodies against `management_api_shapes.json`
(from @logto/api's management.d.ts), and the sign-in experience rules Logto enforces with
422 (after Logto core's `validateSignUp` / `validateSignIn`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SHAPES: dict[str, Any] = json.loads(
    Path(__file__).with_name("management_api_shapes.json").read_text(encoding="utf-8")
)


class RuleError(Exception):
    """A Logto rule was broken: 422 with `code` and the message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def shape_problem(schema: dict[str, Any], value: Any, where: str = "body") -> str | None:
    """Why `value` does not fit `schema` (the JSON Schema subset of the shapes file)."""
    if "$ref" in schema:
        return shape_problem(SHAPES["$defs"][schema["$ref"].rsplit("/", 1)[1]], value, where)
    if "anyOf" in schema:
        problems = [shape_problem(option, value, where) for option in schema["anyOf"]]
        return None if None in problems else problems[0]
    kind = schema.get("type")
    if kind is not None and json_type(value) != kind:
        return f"{where}: expected {kind}, got {json.dumps(value)[:60]}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where}: {value!r} is not one of {schema['enum']}"
    if kind == "array":
        for index, item in enumerate(value):
            if problem := shape_problem(schema.get("items", {}), item, f"{where}[{index}]"):
                return problem
    if kind == "object":
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                return f"{where}.{key}: required"
        for key, item in value.items():
            if key in properties:
                if problem := shape_problem(properties[key], item, f"{where}.{key}"):
                    return problem
            elif not schema.get("additionalProperties", False):
                return f"{where}.{key}: unknown key"
    return None


def json_type(value: Any) -> str:
    """The JSON type name of a decoded JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    names = {int: "number", float: "number", str: "string", list: "array", dict: "object"}
    return names[type(value)]


def check_sign_in_experience(
    body: dict[str, Any], current: dict[str, Any], connectors: Sequence[dict[str, Any]]
) -> None:
    """Raise `RuleError` when PATCH /api/sign-in-exp `body` breaks one of Logto's rules."""
    kinds = {connector["type"] for connector in connectors}
    social = {c["target"] for c in connectors if c["type"] == "Social"}
    for target in body.get("socialSignInConnectorTargets", []):
        if target not in social:
            raise RuleError("connector.not_found", f"no social connector with target {target!r}")
    sign_up = body.get("signUp", current["signUp"])
    if "signUp" in body:
        secondary = [item["identifier"] for item in sign_up.get("secondaryIdentifiers", [])]
        if "phone" in sign_up["identifiers"] + secondary and "Sms" not in kinds:
            raise RuleError(
                "sign_in_experiences.enabled_connector_not_found",
                "a phone sign-up identifier needs an SMS connector",
            )
        if "username" in sign_up["identifiers"] and not sign_up["password"]:
            raise RuleError(
                "sign_in_experiences.username_requires_password",
                "username sign-up requires a password",
            )
        if {"email", "phone"} & set(sign_up["identifiers"]) and not sign_up["verify"]:
            raise RuleError(
                "sign_in_experiences.passwordless_requires_verify",
                "email or phone sign-up must be verified",
            )
    if "signIn" not in body:
        return
    methods = body["signIn"]["methods"]
    if any(m["identifier"] == "phone" and m["verificationCode"] for m in methods) and (
        "Sms" not in kinds
    ):
        raise RuleError(
            "sign_in_experiences.enabled_connector_not_found",
            "phone sign-in with a code needs an SMS connector",
        )
    if not all(m["password"] or m["verificationCode"] for m in methods):
        raise RuleError(
            "sign_in_experiences.at_least_one_authentication_factor",
            "every sign-in method needs a password or a verification code",
        )
    if (
        sign_up["verify"]
        and not sign_up["password"]
        and not all(m["verificationCode"] or m["identifier"] == "username" for m in methods)
    ):
        raise RuleError(
            "sign_in_experiences.code_sign_in_must_be_enabled",
            "verified password-less sign-up needs code sign-in",
        )

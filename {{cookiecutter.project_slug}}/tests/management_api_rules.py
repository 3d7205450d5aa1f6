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
    """A Logto rule was broken: `status` (400 unless said) with `code` and the message."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


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
            if key in properties and (
                problem := shape_problem(properties[key], item, f"{where}.{key}")
            ):
                return problem
    return None  # unknown keys are not a problem: Logto (zod) drops them, see `known_part`


def known_part(schema: dict[str, Any], value: Any) -> Any:
    """`value` without the object keys `schema` does not name, as Logto's guard keeps it."""
    if "$ref" in schema:
        return known_part(SHAPES["$defs"][schema["$ref"].rsplit("/", 1)[1]], value)
    if schema.get("type") == "array" and isinstance(value, list):
        return [known_part(schema.get("items", {}), item) for item in value]
    if schema.get("type") != "object" or not isinstance(value, dict):
        return value
    properties = schema.get("properties", {})
    if schema.get("additionalProperties", False):
        return value
    return {k: known_part(properties[k], v) for k, v in value.items() if k in properties}


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
) -> dict[str, Any]:
    """`body` as Logto applies it (social targets without a connector silently dropped);
    raise `RuleError` where Logto's `validateSignUp` / `validateSignIn` refuse it (400)."""
    kinds = {connector["type"] for connector in connectors}
    social = {c["target"] for c in connectors if c["type"] == "Social"}
    applied = dict(body)
    if "socialSignInConnectorTargets" in body:
        targets = body["socialSignInConnectorTargets"]
        applied["socialSignInConnectorTargets"] = [t for t in targets if t in social]
    if "signUp" in body:
        _check_sign_up(body["signUp"], kinds)
    if "signIn" in body:
        _check_sign_in(body["signIn"]["methods"], body.get("signUp", current["signUp"]), kinds)
    return applied


def _check_sign_up(sign_up: dict[str, Any], kinds: set[str]) -> None:
    primary = sign_up["identifiers"]
    secondary = sign_up.get("secondaryIdentifiers", [])
    names = [item["identifier"] for item in secondary]
    if secondary and not primary:
        raise RuleError("sign_in_experiences.missing_sign_up_identifiers", "no primary identifier")
    duplicated = len(set(primary)) != len(primary) or len(set(names)) != len(names)
    for name in names:
        taken = {"email", "phone"} if name == "emailOrPhone" else {name}
        duplicated = duplicated or bool(taken & set(primary))
    if duplicated:
        raise RuleError("sign_in_experiences.duplicated_sign_up_identifiers", "duplicated")
    passwordless = [i for i in [*primary, *names] if i != "username"]
    if (passwordless and not sign_up["verify"]) or any(
        item["identifier"] != "username" and not item.get("verify") for item in secondary
    ):
        raise RuleError(
            "sign_in_experiences.passwordless_requires_verify",
            "Must enable verify for email/phone sign up identifier.",
        )
    every = set(primary) | set(names)
    for needed, kind in (({"email", "emailOrPhone"}, "Email"), ({"phone", "emailOrPhone"}, "Sms")):
        if needed & every and kind not in kinds:
            raise RuleError("sign_in_experiences.enabled_connector_not_found", f"no {kind}")


def _check_sign_in(methods: list[dict[str, Any]], sign_up: dict[str, Any], kinds: set[str]) -> None:
    for identifier, kind in (("email", "Email"), ("phone", "Sms")):
        coded = any(m["identifier"] == identifier and m["verificationCode"] for m in methods)
        if coded and kind not in kinds:
            raise RuleError("sign_in_experiences.enabled_connector_not_found", f"no {kind}")
    if not all(m["password"] or m["verificationCode"] for m in methods):
        raise RuleError(
            "sign_in_experiences.at_least_one_authentication_factor",
            "You have to select at least one authentication factor.",
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

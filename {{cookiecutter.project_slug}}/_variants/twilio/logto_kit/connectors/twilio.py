"""Twilio SMS: passwordless phone sign-in with one-time codes sent by SMS
(@logto/connector-twilio-sms). The button opens Logto's phone-number screen; `provision` adds
phone sign-in to the sign-in experience, and phone sign-up only where that asks nothing new of
existing users (or when asked with `--phone-sign-up`).

The sign-in experience's shapes follow `UpdateSignInExp` in @logto/api's management.d.ts:
`signUp` is `{identifiers, password, verify, secondaryIdentifiers?}` (identifiers are
alternatives, secondary identifiers are all required too) and `signIn` is `{methods: [...]}`.

What Logto does with them (its core, `validateSignUp` and the experience's profile check):
- every email/phone sign-up identifier, primary or secondary, needs the top-level `verify`
  and, when secondary, its own `verify` (else 400 `passwordless_requires_verify`);
- a sign-up identifier is *required* of every user at sign-in: a username-first tenant that
  gains phone as a (secondary) sign-up identifier asks each existing user without a phone
  number to add one, with an SMS code, before they get in;
- a phone number entered on the phone sign-in screen that belongs to no user is offered a
  new account only when phone is a sign-up identifier (primary, secondary or emailOrPhone).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..auth.sign_in_options import SignInOption
from .connector import (
    CheckKind,
    Connector,
    ProvisionFlag,
    Shape,
    SignInExperienceChanges,
)

TWILIO_CONSOLE = "Twilio Console > Account info"
SHAPES = {
    "TWILIO_ACCOUNT_SID": Shape(
        re.compile(r"AC[0-9a-f]{32}"), f"AC + 32 hex digits ({TWILIO_CONSOLE})"
    ),
    "TWILIO_AUTH_TOKEN": Shape(
        re.compile(r"[0-9a-f]{32}"), f"32 hex digits ({TWILIO_CONSOLE})", secret=True
    ),
    "TWILIO_MESSAGING_SERVICE_SID": Shape(
        re.compile(r"MG[0-9a-f]{32}"),
        "MG + 32 hex digits: a Messaging Service SID (Twilio Console > Messaging > Services), "
        "not a phone number",
    ),
}
REQUIRED_SMS_USAGE_TYPES = ("Register", "SignIn", "ForgotPassword", "Generic")
SMS_TEMPLATES_FILE = Path(__file__).with_name("twilio_sms_templates.json")
CODE_PLACEHOLDER = "{" * 2 + "code" + "}" * 2  # Logto puts the one-time code there
PHONE_SIGN_UP_FLAG = ProvisionFlag(
    "--phone-sign-up",
    "Make phone number a sign-up identifier even where the tenant signs up with a username "
    "(or nothing): every existing user without a phone number must then add one.",
)
PHONE = "phone"
EMAIL_OR_PHONE = "emailOrPhone"
PHONE_SIGN_IN_METHOD: dict[str, Any] = {
    "identifier": PHONE,
    "password": False,
    "verificationCode": True,
    "isPasswordPrimary": False,
}
SIGN_UP_KEYS = ("identifiers", "password", "verify", "secondaryIdentifiers")
SIGN_IN_METHOD_KEYS = ("identifier", "password", "verificationCode", "isPasswordPrimary")


class Twilio(Connector):
    name = "Twilio SMS"
    factory_id = "twilio-short-message-service"
    order = 10
    button = SignInOption(
        "phone",
        "Continue with phone",
        {"first_screen": "identifier:sign_in", "identifier": "phone"},
    )
    paste_where = "Logto Console > Connectors > Email and SMS connectors > SMS > Twilio"
    secret_keys = ("authToken",)
    flags = (PHONE_SIGN_UP_FLAG,)
    shapes = SHAPES

    def config(self, values: Mapping[str, str]) -> dict[str, Any]:
        given = self.checked_values(values)
        return {
            "accountSID": given["TWILIO_ACCOUNT_SID"],
            "authToken": given["TWILIO_AUTH_TOKEN"],
            "fromMessagingServiceSID": given["TWILIO_MESSAGING_SERVICE_SID"],
            "templates": sms_templates(),
        }

    def conflict(self, existing: list[dict[str, Any]]) -> str | None:
        """Logto keeps one SMS connector: creating Twilio's would delete the tenant's own."""
        for other in existing:
            if other.get("type") == "Sms":
                return (
                    f"the tenant already has an SMS connector ({other['connectorId']}, id "
                    f"{other['id']}) and Logto keeps only one: delete it in Logto Console > "
                    "Connectors first if Twilio should replace it"
                )
        return None

    def sign_in_experience(
        self, current: Mapping[str, Any], flags: frozenset[str]
    ) -> SignInExperienceChanges:
        return phone_sign_in_changes(current, phone_sign_up=PHONE_SIGN_UP_FLAG.option in flags)

    def check_sign_in_experience(
        self, sign_in_exp: Mapping[str, Any], provision: str
    ) -> list[tuple[CheckKind, str]]:
        if not has_phone_sign_in(sign_in_exp):
            fix = (
                "phone sign-in with an SMS code is off in the sign-in experience: run "
                f"`{provision}` (or Logto Console > Sign-in experience > Sign-up and sign-in: "
                "add Phone number with Verification code)"
            )
            return [("fix", fix)]
        lines: list[tuple[CheckKind, str]] = [
            ("ok", 'phone sign-in with an SMS code is on (the "Continue with phone" button)')
        ]
        if offers_phone_sign_up(sign_in_exp["signUp"]):
            lines.append(("ok", "Logto offers new phone numbers an account"))
        else:
            note = (
                f"phone sign-up is off (new users sign up with "
                f"{describe(sign_in_exp['signUp'])}): unknown phone numbers cannot sign up; "
                f"run `{provision} {PHONE_SIGN_UP_FLAG.option}` to allow it"
            )
            lines.append(("note", note))
        return lines


def sms_templates() -> list[dict[str, str]]:
    """The SMS texts (edit `twilio_sms_templates.json`); each must keep the code placeholder."""
    templates: list[dict[str, str]] = json.loads(SMS_TEMPLATES_FILE.read_text(encoding="utf-8"))
    covered = {template["usageType"] for template in templates}
    missing = [usage for usage in REQUIRED_SMS_USAGE_TYPES if usage not in covered]
    if missing:
        raise ValueError(f"{SMS_TEMPLATES_FILE.name} lacks templates for {', '.join(missing)}")
    for template in templates:
        if CODE_PLACEHOLDER not in template["content"]:
            raise ValueError(
                f"{SMS_TEMPLATES_FILE.name}: the {template['usageType']} text lacks "
                f"{CODE_PLACEHOLDER}"
            )
    return templates


def phone_sign_in_changes(
    current: Mapping[str, Any], *, phone_sign_up: bool = False
) -> SignInExperienceChanges:
    """What the sign-in experience `current` needs for phone sign-in: additions only, and
    nothing that changes what existing users must do unless `phone_sign_up` asks for it."""
    result = SignInExperienceChanges()
    methods = [_known(method, SIGN_IN_METHOD_KEYS) for method in current["signIn"]["methods"]]
    new_methods = with_phone_sign_in(methods)
    if new_methods != methods:
        result.body["signIn"] = {"methods": new_methods}
        result.said.append("add sign-in with phone number and SMS code")
    sign_up = _known(current["signUp"], SIGN_UP_KEYS)
    if offers_phone_sign_up(sign_up):
        return result
    safe = with_phone_as_alternative(sign_up)
    if safe is not None:
        result.body["signUp"] = safe
        result.said.append("let new users sign up with a phone number as well as an email")
    elif phone_sign_up:
        result.body["signUp"] = with_phone_required(sign_up)
        result.said.append(
            "make phone number a required sign-up identifier (existing users without one "
            "add it, with an SMS code, at their next sign-in)"
        )
    else:
        result.held_back.append(
            f"phone sign-up left off: this tenant signs users up with {describe(sign_up)}, and "
            "making phone a sign-up identifier would ask every existing user without a phone "
            "number to add one at their next sign-in; run again with "
            f"{PHONE_SIGN_UP_FLAG.option} to do it anyway (phone sign-in works either way)"
        )
    return result


def offers_phone_sign_up(sign_up: Mapping[str, Any]) -> bool:
    """Does Logto offer an unknown phone number a new account under `sign_up`?"""
    secondary = {item.get("identifier") for item in sign_up.get("secondaryIdentifiers") or []}
    return PHONE in (sign_up.get("identifiers") or []) or bool({PHONE, EMAIL_OR_PHONE} & secondary)


def with_phone_as_alternative(sign_up: Mapping[str, Any]) -> dict[str, Any] | None:
    """An email-first `sign_up` with "email or phone" instead: every existing user already has
    what it requires (an email satisfies it), so nothing changes for them. None elsewhere."""
    if list(sign_up.get("identifiers") or []) != ["email"]:
        return None
    return {**sign_up, "identifiers": ["email", PHONE], "verify": True}


def with_phone_required(sign_up: Mapping[str, Any]) -> dict[str, Any]:
    """`sign_up` with phone required of every user: the primary identifier of a tenant that
    has none, else a verified secondary one (and the top-level `verify` Logto then needs)."""
    result = dict(sign_up)
    if not sign_up.get("identifiers"):
        result.update(identifiers=[PHONE], verify=True)
        return result
    secondary = [dict(item) for item in sign_up.get("secondaryIdentifiers") or []]
    phone = {"identifier": PHONE, "verify": True}
    result.update(verify=True, secondaryIdentifiers=[*secondary, phone])
    return result


def with_phone_sign_in(methods: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`methods` with phone + SMS code sign-in (an existing phone method gets the code)."""
    result = [dict(method) for method in methods]
    for method in result:
        if method["identifier"] == PHONE:
            method["verificationCode"] = True
            return result
    return [*result, dict(PHONE_SIGN_IN_METHOD)]


def has_phone_sign_in(sign_in_exp: Mapping[str, Any]) -> bool:
    return any(
        method["identifier"] == PHONE and method["verificationCode"]
        for method in sign_in_exp["signIn"]["methods"]
    )


def describe(sign_up: Mapping[str, Any]) -> str:
    """`sign_up`'s identifiers in words, e.g. "a username" or "no identifier"."""
    identifiers = list(sign_up.get("identifiers") or [])
    words = {"username": "a username", "email": "an email", PHONE: "a phone number"}
    return " or ".join(words.get(item, item) for item in identifiers) or "no identifier"


def _known(value: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """Only the keys the PATCH body accepts (a GET may carry more in later versions)."""
    return {key: value[key] for key in keys if key in value}


CONNECTOR = Twilio()

"""The sign-in experience changes `logto provision` makes, as pure functions of the tenant's
current settings: additions only, nothing the tenant already has is dropped, and nothing
that changes what existing users must do unless asked.

Shapes follow `UpdateSignInExp` in @logto/api's management.d.ts: `signUp` is
`{identifiers, password, verify, secondaryIdentifiers?}` (identifiers are alternatives,
secondary identifiers are all required too) and `signIn` is `{methods: [...]}`.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
PHONE_SIGN_UP_OPTION = "--phone-sign-up"


@dataclass
class SignInExperienceChanges:
    body: dict[str, Any] = field(default_factory=dict)  # the PATCH: only keys that change
    said: list[str] = field(default_factory=list)  # what each change does
    held_back: list[str] = field(default_factory=list)  # one line per change not made


def sign_in_experience_changes(
    current: Mapping[str, Any],
    *,
    phone: bool,
    social_targets: Sequence[str],
    phone_sign_up: bool = False,
) -> SignInExperienceChanges:
    """What the tenant's sign-in experience `current` needs for phone sign-in (`phone`) and
    the social buttons `social_targets`; `phone_sign_up` allows making phone a required
    sign-up identifier where that changes what existing users must do."""
    result = SignInExperienceChanges()
    have = list(current.get("socialSignInConnectorTargets") or [])
    missing = [target for target in social_targets if target not in have]
    if missing:
        result.body["socialSignInConnectorTargets"] = have + missing  # the list replaces
        result.said.append(f"add the social sign-in button(s) {', '.join(missing)}")
    if not phone:
        return result
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
            f"{PHONE_SIGN_UP_OPTION} to do it anyway (phone sign-in works either way)"
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

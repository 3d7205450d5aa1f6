"""The sign-in experience changes `logto provision` makes, as pure functions of the tenant's
current settings: additions only, nothing the tenant already has is dropped.

Shapes follow `UpdateSignInExp` in @logto/api's management.d.ts: `signUp` is
`{identifiers, password, verify, secondaryIdentifiers?}` (identifiers are alternatives,
secondary identifiers are all required too) and `signIn` is `{methods: [...]}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PHONE = "phone"
PHONE_SIGN_IN_METHOD: dict[str, Any] = {
    "identifier": PHONE,
    "password": False,
    "verificationCode": True,
    "isPasswordPrimary": False,
}
SIGN_UP_KEYS = ("identifiers", "password", "verify", "secondaryIdentifiers")
SIGN_IN_METHOD_KEYS = ("identifier", "password", "verificationCode", "isPasswordPrimary")


def sign_in_experience_changes(
    current: Mapping[str, Any], *, phone: bool, social_targets: Sequence[str]
) -> tuple[dict[str, Any], list[str]]:
    """(the PATCH body: only the keys that change, what each change does)."""
    changes: dict[str, Any] = {}
    said: list[str] = []
    have = list(current.get("socialSignInConnectorTargets") or [])
    missing = [target for target in social_targets if target not in have]
    if missing:
        changes["socialSignInConnectorTargets"] = have + missing  # the list replaces: send all
        said.append(f"add the social sign-in button(s) {', '.join(missing)}")
    if phone:
        sign_up = _known(current["signUp"], SIGN_UP_KEYS)
        new_sign_up = with_phone_sign_up(sign_up)
        if new_sign_up != sign_up:
            changes["signUp"] = new_sign_up
            said.append("add phone number as a verified sign-up identifier")
        methods = [_known(method, SIGN_IN_METHOD_KEYS) for method in current["signIn"]["methods"]]
        new_methods = with_phone_sign_in(methods)
        if new_methods != methods:
            changes["signIn"] = {"methods": new_methods}
            said.append("add sign-in with phone number and SMS code")
    return changes, said


def with_phone_sign_up(sign_up: Mapping[str, Any]) -> dict[str, Any]:
    """`sign_up` with phone as a (verified) sign-up identifier."""
    identifiers = list(sign_up.get("identifiers") or [])
    secondary = [dict(item) for item in sign_up.get("secondaryIdentifiers") or []]
    result = dict(sign_up)
    if PHONE in identifiers:
        result["verify"] = True  # Logto: a phone sign-up identifier must be verified
    elif any(item.get("identifier") in (PHONE, "emailOrPhone") for item in secondary):
        for item in secondary:
            if item.get("identifier") in (PHONE, "emailOrPhone"):
                item["verify"] = True
        result["secondaryIdentifiers"] = secondary
    elif not identifiers:
        result.update(identifiers=[PHONE], verify=True)
    elif identifiers == ["email"]:
        result["identifiers"] = ["email", PHONE]  # email or phone; email is verified already
    else:  # e.g. username first: phone becomes required in addition
        result["secondaryIdentifiers"] = [*secondary, {"identifier": PHONE, "verify": True}]
    return result


def with_phone_sign_in(methods: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`methods` with phone + SMS code sign-in (an existing phone method gets the code)."""
    result = [dict(method) for method in methods]
    for method in result:
        if method["identifier"] == PHONE:
            method["verificationCode"] = True
            return result
    return [*result, dict(PHONE_SIGN_IN_METHOD)]


def _known(value: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """Only the keys the PATCH body accepts (a GET may carry more in later versions)."""
    return {key: value[key] for key in keys if key in value}

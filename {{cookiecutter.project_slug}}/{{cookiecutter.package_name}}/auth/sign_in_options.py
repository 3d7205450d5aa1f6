"""Extra ways to start a sign-in (a button each): Logto's first-screen and direct sign-in
parameters, added to the URL the SDK builds (SDK 0.2.1 has no argument for them).

Logto drops every extra parameter when one is invalid (`identifier:sign-in` with a hyphen,
as some docs show, is invalid), so the exact values are tested.

Phone has one button, to Logto's phone-number screen: a known number signs in, and Logto
offers an unknown one a new account wherever the tenant lets phone numbers sign up. A
"sign up with phone" button (`first_screen=identifier:register`) would work only on tenants
whose *primary* sign-up identifier includes phone; elsewhere Logto shows its username form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..about import USE_PATREON, USE_TWILIO

PATREON_TARGET = "patreon"  # the Patreon connector's social target: direct_sign_in=social:...


@dataclass(frozen=True)
class SignInOption:
    slug: str  # the route: /sign-in/<slug>
    label: str
    params: dict[str, str] = field(default_factory=dict)


PATREON = SignInOption(
    "patreon", "Continue with Patreon", {"direct_sign_in": f"social:{PATREON_TARGET}"}
)
PHONE = SignInOption(
    "phone", "Continue with phone", {"first_screen": "identifier:sign_in", "identifier": "phone"}
)


def enabled_sign_in_options(
    use_twilio: bool = USE_TWILIO, use_patreon: bool = USE_PATREON
) -> dict[str, SignInOption]:
    options = ([PHONE] if use_twilio else []) + ([PATREON] if use_patreon else [])
    return {option.slug: option for option in options}


def with_params(url: str, params: dict[str, str]) -> str:
    """`url` with `params` appended to its query, percent-encoded."""
    if not params:
        return url
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))

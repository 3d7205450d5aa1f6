"""Logto organizations, with no web framework inside: the user's memberships (from their ID
token), the active organization (kept in the session), and the checks that keep a user in
their own organizations whatever a form submits.

Logto puts the ids of the user's organizations in the ID token's `organizations` claim and
their roles as `<organization id>:<role>` in `organization_roles` (the scopes below ask for
both); userinfo's `organization_data` adds the names. The active organization's own access
token (`organization_key`) comes from Logto, which grants it to members only.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import jwt
from logto import UserInfoScope

from .failures import Failure

#: Asked for at sign-in: the organization ids and roles in the ID token.
ORGANIZATION_SCOPES = (UserInfoScope.organizations, UserInfoScope.organization_roles)
ACTIVE_KEY = "app.organization"  # the session's active organization id
#: The organization role `organization_required(role=ADMIN_ROLE)` pages need (Logto Console >
#: Organization template > Organization roles).
ADMIN_ROLE = "admin"
#: How stale the memberships and roles the organization pages act on may be: older than this,
#: the ID token that lists them is renewed first (one token request), so a role or membership
#: removed in Logto stops counting within this many seconds. 0: renewed for every such page.
ROLES_MAX_AGE_SECONDS = 300

NOT_A_MEMBER = Failure(
    403,
    "Not your organization",
    "You are not a member of that organization. Choose one of yours.",
    sign_in_again=False,
)
NO_ACTIVE_ORGANIZATION = Failure(
    403,
    "Choose an organization",
    "This page belongs to an organization: choose one of yours on the Organization page.",
    sign_in_again=False,
)


@dataclass(frozen=True)
class Membership:
    """An organization the user is a member of, with their roles in it."""

    id: str
    roles: tuple[str, ...]
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


def memberships(
    claims: Mapping[str, Any], userinfo: Mapping[str, Any] | None = None
) -> list[Membership]:
    """The user's organizations, as their ID token says (names from userinfo, if known)."""
    ids = [item for item in claims.get("organizations") or [] if isinstance(item, str)]
    roles: dict[str, list[str]] = {organization: [] for organization in ids}
    for entry in claims.get("organization_roles") or []:
        organization, separator, role = str(entry).partition(":")
        if separator and organization in roles:
            roles[organization].append(role)
    names = {
        data.get("id"): data.get("name")
        for data in (userinfo or {}).get("organization_data") or []
        if isinstance(data, dict)
    }
    return [
        Membership(organization, tuple(sorted(roles[organization])), _text(names.get(organization)))
        for organization in ids
    ]


def membership_of(
    claims: Mapping[str, Any], organization_id: object, userinfo: Mapping[str, Any] | None = None
) -> Membership | None:
    """The user's membership of `organization_id`, or None (not a member, or not an id)."""
    return next((m for m in memberships(claims, userinfo) if m.id == organization_id), None)


def active_membership(
    session: MutableMapping[str, Any],
    claims: Mapping[str, Any],
    userinfo: Mapping[str, Any] | None = None,
) -> Membership | None:
    """The active organization, while the user is still a member of it."""
    return membership_of(claims, session.get(ACTIVE_KEY), userinfo)


def member_of(claims: Mapping[str, Any], submitted: object) -> Membership:
    """The user's membership of the `submitted` organization id; `NOT_A_MEMBER` (403) when
    they are not a member of it (or it is no id at all)."""
    membership = membership_of(claims, submitted)
    if membership is None:
        raise NOT_A_MEMBER
    return membership


def make_active(session: MutableMapping[str, Any], membership: Membership) -> None:
    session[ACTIVE_KEY] = membership.id


def forget_active(session: MutableMapping[str, Any]) -> None:
    session.pop(ACTIVE_KEY, None)


def required_membership(
    session: MutableMapping[str, Any],
    claims: Mapping[str, Any],
    role: str | None = None,
    userinfo: Mapping[str, Any] | None = None,
) -> Membership:
    """The active organization's membership, holding `role` if one is named; else a 403."""
    membership = active_membership(session, claims, userinfo)
    if membership is None:
        raise NO_ACTIVE_ORGANIZATION
    if role is not None and role not in membership.roles:
        raise Failure(
            403,
            "Not allowed",
            f"This page needs the {role!r} role in {membership.label}.",
            sign_in_again=False,
        )
    return membership


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def token_claims(token: str) -> dict[str, Any]:
    """What an organization token Logto just issued says (audience, organization, scopes),
    for the page. Read, not verified: it came straight from Logto's token endpoint, and an
    API that accepts it verifies it (api/access_tokens.py)."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}
    return claims

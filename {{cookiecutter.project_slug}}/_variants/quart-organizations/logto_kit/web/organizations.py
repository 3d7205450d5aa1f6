"""Logto organizations (Quart): the Organization page, where a user sees their organizations
and roles and chooses the active one, and `organization_required` for your own pages::

    @blueprint.get("/billing")
    @organization_required(role="admin")
    async def billing() -> str:
        return await render_template("billing.html", organization=g.organization)

The switcher is a POST with the CSRF token; an organization the user is not a member of is
refused (403) whatever the form says, and Logto must grant the organization's token.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from quart import Blueprint, Quart, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..auth.logto_auth import LogtoAuth
from ..auth.logto_client import TokenDenied, organization_key
from ..auth.organizations import (
    ADMIN_ROLE,
    NOT_A_MEMBER,
    ORGANIZATION_SCOPES,
    ROLES_MAX_AGE_SECONDS,
    Membership,
    active_membership,
    forget_active,
    make_active,
    member_of,
    memberships,
    required_membership,
    token_claims,
)
from ..auth.signed_in import User, sign_in_next
from ..settings import Settings
from .error_pages import failure_page
from .signed_in import login_required, logto_auth, request_user

organization_pages = Blueprint("organization_pages", __name__)
View = TypeVar("View", bound=Callable[..., Awaitable[Any]])


async def user_with_current_roles() -> User | None:
    """The signed-in user from an ID token at most ROLES_MAX_AGE_SECONDS old (renewed first
    when older), so the memberships and roles these pages act on are what Logto grants now;
    None when the sign-in cannot be renewed."""
    return await request_user().issued_within(ROLES_MAX_AGE_SECONDS)


def sign_in_again() -> Response:
    return redirect(url_for("logto.sign_in", next=sign_in_next(request.full_path)))


def register(app: Quart, settings: Settings, auth: LogtoAuth) -> None:
    """The Organization page; every sign-in asks Logto for the user's organizations."""
    auth.request_scopes(ORGANIZATION_SCOPES)
    app.register_blueprint(organization_pages)
    links = cast(list[tuple[str, str]], app.jinja_env.globals.setdefault("nav_links", []))
    links.append(("organization_pages.organization", "Organization"))
    app.jinja_env.globals["organization_memberships"] = memberships


def organization_required(role: str | None = None) -> Callable[[View], View]:
    """Only signed-in members of the active organization (holding `role`, if named) reach
    the view; their membership is `g.organization`."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        @login_required
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = await user_with_current_roles()
            if user is None:
                return sign_in_again()
            userinfo = logto_auth().cached_userinfo()
            g.organization = required_membership(session, user, role, userinfo)
            return await view(*args, **kwargs)

        return cast(View, wrapper)

    return decorator


async def organization_token(membership: Membership) -> str | None:
    """The user's access token for the organization (for this app's API in it, when the
    project has one): Logto grants it to members only (`TokenDenied` otherwise)."""
    auth = logto_auth()
    key = organization_key(membership.id, auth.settings.api_resource or "")
    return await auth.access_token_for(key)


@organization_pages.get("/organization")
@login_required
async def organization() -> Response | str:
    user = await user_with_current_roles()
    if user is None:
        return sign_in_again()
    userinfo = logto_auth().cached_userinfo()
    if userinfo is None:  # the organizations' names: once per sign-in
        userinfo, _ = await logto_auth().fetch_userinfo()
    active, notice, claims = active_membership(session, user, userinfo), None, {}
    if active is not None:
        try:
            token = await organization_token(active)
        except TokenDenied:
            forget_active(session)
            active, notice = None, NOT_A_MEMBER.message
        else:
            if token is None:  # the sign-in could not be renewed
                return redirect(url_for("logto.sign_in", next=url_for(".organization")))
            claims = token_claims(token)
    return await render_template(
        "logto/organization.html",
        organizations=memberships(user, userinfo),
        active=active,
        token_claims=claims,
        notice=notice,
        admin_role=ADMIN_ROLE,
    )


@organization_pages.post("/organization")
@login_required
async def choose_organization() -> Response | tuple[str, int]:
    """The switcher: the submitted organization becomes the active one, if the user is a
    member of it and Logto grants its token. The form's CSRF token is checked before."""
    form = await request.form
    user = await user_with_current_roles()
    if user is None:
        return sign_in_again()
    chosen = member_of(user, form.get("organization_id"))
    try:
        await organization_token(chosen)  # Logto confirms the membership
    except TokenDenied:
        return await failure_page(NOT_A_MEMBER)
    make_active(session, chosen)
    return redirect(url_for(".organization"), 303)


@organization_pages.get("/organization/admin")
@organization_required(role=ADMIN_ROLE)
async def organization_admin() -> str:
    """An example of a page for the active organization's admins only."""
    return await render_template("logto/organization_admin.html", organization=g.organization)

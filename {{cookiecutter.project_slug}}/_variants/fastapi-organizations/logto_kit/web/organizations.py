"""Logto organizations (FastAPI): the Organization page, where a user sees their organizations
and roles and chooses the active one, and `organization_required` for your own pages: a
dependency whose value is the user's membership of the active organization (its `id`, `name`
and `roles`)::

    from logto_kit.auth.organizations import Membership
    from logto_kit.web.organizations import organization_required

    @router.get("/organization/billing", name="pages.billing")
    async def billing(
        request: Request,
        organization: Annotated[Membership, Depends(organization_required(role="admin"))],
    ) -> HTMLResponse:
        context = {"organization": organization}
        return templates.TemplateResponse(request, "billing.html", context)

`organization: ActiveOrganization` asks for no role, `organization: AdministeredOrganization`
for ADMIN_ROLE; `dependencies=[Depends(organization_required(role="admin"))]` guards a route
or a whole router. A signed-out visitor is sent through sign-in and back; without an active
organization, or without the role, the answer is the 403 page.

The switcher is a POST with the CSRF token; an organization the user is not a member of is
refused (403) whatever the form says, and Logto must grant the organization's token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

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
from .signed_in import CurrentUser, SignInRequired, logto_auth, request_user
from .templates import PageTemplates, path_for

router = APIRouter(include_in_schema=False)  # pages, not API: not in the OpenAPI schema
NAV_LINK = ("organization_pages.organization", "Organization")


async def user_with_current_roles(request: Request, signed_in: CurrentUser) -> User:
    """A dependency: the signed-in user (`signed_in`: a signed-out visitor is sent through
    sign-in first) from an ID token at most ROLES_MAX_AGE_SECONDS old (renewed first when
    older), so the memberships and roles these pages act on are what Logto grants now; sent
    through sign-in again when the sign-in cannot be renewed."""
    user = await request_user().issued_within(ROLES_MAX_AGE_SECONDS)
    if user is None:
        query = request.url.query
        raise SignInRequired(sign_in_next(request.url.path + (f"?{query}" if query else "")))
    return user


#: The signed-in user, their memberships and roles at most ROLES_MAX_AGE_SECONDS old.
UserWithCurrentRoles = Annotated[User, Depends(user_with_current_roles)]


def register(app: FastAPI, settings: Settings, auth: LogtoAuth) -> None:
    """The Organization page; every sign-in asks Logto for the user's organizations."""
    auth.request_scopes(ORGANIZATION_SCOPES)
    app.include_router(router)
    globals_ = app.state.templates.env.globals
    links: list[tuple[str, str]] = globals_.setdefault("nav_links", [])
    if NAV_LINK not in links:  # the templates may serve several apps (tests)
        links.append(NAV_LINK)
    globals_["organization_memberships"] = memberships


def organization_required(
    role: str | None = None,
) -> Callable[[Request, User], Awaitable[Membership]]:
    """A dependency (`Depends(organization_required(role="admin"))`): the signed-in user's
    membership of the active organization, holding `role` if one is named; the 403 page
    without an active organization or without the role."""

    async def active_organization(request: Request, user: UserWithCurrentRoles) -> Membership:
        userinfo = logto_auth().cached_userinfo()
        return required_membership(request.session, user, role, userinfo)

    return active_organization


#: The active organization's membership, as a view's parameter: `organization: ActiveOrganization`.
ActiveOrganization = Annotated[Membership, Depends(organization_required())]
#: The same, for the active organization's admins only (ADMIN_ROLE).
AdministeredOrganization = Annotated[Membership, Depends(organization_required(role=ADMIN_ROLE))]


async def organization_token(membership: Membership) -> str | None:
    """The user's access token for the organization (for this app's API in it, when the
    project has one): Logto grants it to members only (`TokenDenied` otherwise)."""
    auth = logto_auth()
    key = organization_key(membership.id, auth.settings.api_resource or "")
    return await auth.access_token_for(key)


def page(request: Request, name: str, context: dict[str, Any]) -> Response:
    templates: PageTemplates = request.app.state.templates
    return templates.TemplateResponse(request, name, context)


@router.get("/organization", name="organization_pages.organization")
async def organization(request: Request, user: UserWithCurrentRoles) -> Response:
    userinfo = logto_auth().cached_userinfo()
    if userinfo is None:  # the organizations' names: once per sign-in
        userinfo, _ = await logto_auth().fetch_userinfo()
    active, notice, claims = active_membership(request.session, user, userinfo), None, {}
    if active is not None:
        try:
            token = await organization_token(active)
        except TokenDenied:
            forget_active(request.session)
            active, notice = None, NOT_A_MEMBER.message
        else:
            if token is None:  # the sign-in could not be renewed
                here = path_for(request, "organization_pages.organization")
                return RedirectResponse(path_for(request, "logto.sign_in", next=here), 302)
            claims = token_claims(token)
    context = {
        "organizations": memberships(user, userinfo),
        "active": active,
        "token_claims": claims,
        "notice": notice,
        "admin_role": ADMIN_ROLE,
    }
    return page(request, "logto/organization.html", context)


@router.post("/organization", name="organization_pages.choose_organization")
async def choose_organization(
    request: Request,
    user: UserWithCurrentRoles,
    organization_id: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    """The switcher: the submitted organization becomes the active one, if the user is a
    member of it and Logto grants its token. The form's CSRF token is checked before (csrf.py)."""
    chosen = member_of(user, organization_id)
    try:
        await organization_token(chosen)  # Logto confirms the membership
    except TokenDenied:
        raise NOT_A_MEMBER from None
    make_active(request.session, chosen)
    return RedirectResponse(path_for(request, "organization_pages.organization"), 303)


@router.get("/organization/admin", name="organization_pages.organization_admin")
async def organization_admin(request: Request, organization: AdministeredOrganization) -> Response:
    """An example of a page for the active organization's admins only."""
    return page(request, "logto/organization_admin.html", {"organization": organization})

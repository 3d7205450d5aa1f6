"""Organizations against the fake Logto: the user's memberships and roles from the ID token,
the switcher (a POST with the CSRF token) that only ever makes one of the user's own
organizations active, the organization token Logto grants to members, and
`organization_required(role=...)`."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from logto_kit.about import PROTECTED_API
from logto_kit.settings import Settings
from logto_kit.web import organizations as organization_pages

from {{ cookiecutter.package_name }} import create_app

from .conftest import API_RESOURCE
from .fake_logto import FakeLogto, FakeUser
from .flows import callback_path, csrf_token_in
from .page_client import PageClient
from .pages import Page

SHOP, LAB, ELSEWHERE = "org-shop", "org-lab", "org-not-mine"
MEMBER = FakeUser(organizations={SHOP: ["admin", "member"], LAB: ["member"]})


def sign_in_as(client: PageClient, logto: FakeLogto, user: FakeUser) -> None:
    started = client.get("/sign-in")
    path, query = callback_path(logto.authorize(started.location, user))
    assert client.get(path, query).status == 302


def switch(client: PageClient, organization_id: str, token: str | None = None) -> Page:
    if token is None:
        token = csrf_token_in(client.get("/organization"))
    return client.post("/organization", {"csrf_token": token, "organization_id": organization_id})


def active_id(page: Page) -> str | None:
    match = re.search(r'data-testid="active-organization" data-id="([^"]+)"', page.text)
    return match.group(1) if match else None


def test_sign_in_asks_for_the_users_organizations(client: PageClient) -> None:
    asked = parse_qs(urlsplit(client.get("/sign-in").location).query)
    scopes = asked["scope"][0].split()
    assert {"urn:logto:scope:organizations", "urn:logto:scope:organization_roles"} <= set(scopes)
    assert "urn:logto:resource:organizations" in asked["resource"]


def test_the_profile_lists_organizations_and_roles(client: PageClient, logto: FakeLogto) -> None:
    sign_in_as(client, logto, MEMBER)
    profile = client.get("/profile").text
    assert f'data-id="{SHOP}"><th>{SHOP}</th><td>admin, member</td>' in profile
    assert f'data-id="{LAB}"><th>{LAB}</th><td>member</td>' in profile


def test_the_header_links_to_the_organization_page_once(
    client: PageClient, logto: FakeLogto, settings: Settings
) -> None:
    """Also when the app's code has made another app before (as every test does)."""
    PageClient(create_app(settings)).close()
    sign_in_as(client, logto, MEMBER)
    home = client.get("/")
    assert home.status == 200
    assert home.text.count('<a href="/organization">Organization</a>') == 1


def test_switching_to_an_own_organization_gets_its_token(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in_as(client, logto, MEMBER)
    assert active_id(client.get("/organization")) is None
    switched = switch(client, SHOP)
    assert switched.status == 303 and switched.location.endswith("/organization")
    page = client.get("/organization")
    assert active_id(page) == SHOP
    audience = API_RESOURCE if PROTECTED_API else f"urn:logto:organization:{SHOP}"
    assert f"<code>{audience}</code>" in page.text
    assert f"<code>{SHOP}</code>" in page.text  # the token's organization_id


def test_a_forged_organization_is_refused_and_changes_nothing(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in_as(client, logto, MEMBER)
    assert switch(client, SHOP).status == 303
    requests = len(logto.resource_token_requests)
    for forged in (ELSEWHERE, "", f"{SHOP}:admin", SHOP.upper()):
        refused = switch(client, forged)
        assert refused.status == 403, (forged, refused.text)
        assert "not a member of that organization" in refused.text
    assert len(logto.resource_token_requests) == requests  # never asked Logto for them
    assert active_id(client.get("/organization")) == SHOP


def test_the_switcher_needs_the_csrf_token(client: PageClient, logto: FakeLogto) -> None:
    sign_in_as(client, logto, MEMBER)
    assert switch(client, LAB, token="forged").status == 403
    assert client.post("/organization", {"organization_id": LAB}).status == 403
    assert active_id(client.get("/organization")) is None


def test_an_organization_logto_no_longer_grants_is_refused(
    client: PageClient, logto: FakeLogto
) -> None:
    """Removed from an organization after signing in: the ID token still lists it, but once
    its token has expired Logto refuses a new one; it stops being active, a switch to it is
    refused, and the user stays signed in."""
    logto.access_token_ttl = 61  # counted as expired a minute early: about 1 s of life
    user = FakeUser(organizations={SHOP: ["member"], LAB: ["member"]})
    sign_in_as(client, logto, user)
    assert switch(client, LAB).status == 303
    del user.organizations[LAB]
    deadline = time.monotonic() + 10
    page = client.get("/organization")
    while active_id(page) == LAB:
        assert time.monotonic() < deadline, "the expired organization token was never renewed"
        page = client.get("/organization")
    assert page.status == 200 and "not a member of that organization" in page.text
    assert switch(client, LAB).status == 403
    assert switch(client, SHOP).status == 303
    assert logto.revoked_grants == 0 and client.get("/profile").status == 200


def test_organization_required_checks_the_active_organization_and_role(
    client: PageClient, logto: FakeLogto
) -> None:
    assert client.get("/organization/admin").status == 302  # signed out: to sign-in
    sign_in_as(client, logto, MEMBER)
    assert client.get("/organization/admin").status == 403  # no active organization
    switch(client, LAB)
    refused = client.get("/organization/admin")
    assert refused.status == 403 and "needs the &#39;admin&#39; role" in refused.text
    switch(client, SHOP)
    allowed = client.get("/organization/admin")
    assert allowed.status == 200 and f"You administer {SHOP}" in allowed.text


def test_a_role_or_membership_removed_in_logto_stops_counting_within_the_bound(
    client: PageClient, logto: FakeLogto, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The organization pages act on roles read at most ROLES_MAX_AGE_SECONDS ago: within
    that no token request is made; past it the ID token is renewed first, and a role or a
    membership Logto no longer grants stops counting, the user staying signed in."""
    user = FakeUser(organizations={SHOP: ["admin"], LAB: ["member"]})
    sign_in_as(client, logto, user)
    assert switch(client, SHOP).status == 303
    user.organizations[SHOP] = []  # the admin role removed in Logto
    token_requests = logto.request_count("/oidc/token")
    assert client.get("/organization/admin").status == 200  # within the bound
    assert logto.request_count("/oidc/token") == token_requests
    monkeypatch.setattr(organization_pages, "ROLES_MAX_AGE_SECONDS", 0)  # the bound has passed
    refused = client.get("/organization/admin")
    assert refused.status == 403 and "needs the &#39;admin&#39; role" in refused.text
    assert logto.request_count("/oidc/token") == token_requests + 1
    del user.organizations[SHOP]  # then the membership removed
    page = client.get("/organization")
    assert page.status == 200 and active_id(page) is None and SHOP not in page.text
    assert client.get("/organization/admin").status == 403
    assert switch(client, SHOP).status == 403
    assert client.get("/profile").status == 200 and logto.revoked_grants == 0


def test_a_sign_in_logto_no_longer_renews_goes_through_sign_in_again(
    client: PageClient, logto: FakeLogto, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(organization_pages, "ROLES_MAX_AGE_SECONDS", 0)  # renewed every time
    for path in ("/organization", "/organization/admin?tab=2"):
        logto.token_error = None
        sign_in_as(client, logto, MEMBER)
        assert switch(client, SHOP).status == 303
        logto.token_error = (400, {"error": "invalid_grant", "error_description": "revoked"})
        page = client.get(path)
        assert page.status == 302, (path, page.text)
        assert page.location == f"/sign-in?next={path.replace('=', '%3D')}"


def test_a_user_without_organizations_sees_none(client: PageClient, logto: FakeLogto) -> None:
    sign_in_as(client, logto, FakeUser())
    page = client.get("/organization")
    assert page.status == 200 and 'data-testid="no-organizations"' in page.text
    assert switch(client, SHOP, token=csrf_token_in(client.get("/profile"))).status == 403


def test_the_organization_token_is_renewed_once_expired(
    client: PageClient, logto: FakeLogto
) -> None:
    logto.access_token_ttl = 61  # counted as expired a minute early: about 1 s of life
    sign_in_as(client, logto, MEMBER)
    assert switch(client, SHOP).status == 303
    asked = len(logto.resource_token_requests)
    deadline = time.monotonic() + 10
    while len(logto.resource_token_requests) == asked:
        assert time.monotonic() < deadline, "the organization token was never renewed"
        page = client.get("/organization")
        assert page.status == 200 and active_id(page) == SHOP
    assert logto.resource_token_requests[-1] == (API_RESOURCE if PROTECTED_API else SHOP)
    assert logto.revoked_grants == 0

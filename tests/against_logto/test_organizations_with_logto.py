"""Organizations against a real Logto, in Chromium through Logto's sign-in page: each
framework's bake (with the API too, so the organization token is for the API in that
organization) lists the user's organizations and roles, makes one of them active with its
switcher, and refuses an organization the user is not a member of, also when its id is
forged into the switcher's form; a role, then a membership, removed in Logto stops counting
once the bake's bound has passed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.against_logto.test_browser_with_logto import PASSWORD, sign_in_from_home
from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.logto_bake import bake_against, provisioned
from tests.support.processes import free_port
from tests.support.real_logto import LogtoInstance, LogtoTenant

pytestmark = pytest.mark.e2e

API = "https://api.shop.example"


def organization(tenant: LogtoTenant, name: str) -> dict[str, Any]:
    found: dict[str, Any] = tenant.call("POST", "/api/organizations", {"name": name})
    return found


def add_member(
    tenant: LogtoTenant, org: dict[str, Any], user: dict[str, Any], *roles: dict[str, Any]
) -> None:
    tenant.call("POST", f"/api/organizations/{org['id']}/users", {"userIds": [user["id"]]})
    if roles:
        tenant.call(
            "POST",
            f"/api/organizations/{org['id']}/users/{user['id']}/roles",
            {"organizationRoleIds": [role["id"] for role in roles]},
        )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_member_acts_in_their_own_organizations_only(
    framework: str, logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path, page: Page
) -> None:
    user = tenant.create_user(f"member_{framework.lower()}", PASSWORD)
    admin = tenant.call("POST", "/api/organization-roles", {"name": "admin"})
    shop, lab, elsewhere = (organization(tenant, name) for name in ("Shop", "Lab", "Elsewhere"))
    add_member(tenant, shop, user, admin)
    add_member(tenant, lab, user)
    app = provisioned(
        bake_against(
            tmp_path,
            logto,
            framework=framework,
            port=free_port(),
            answers={"use_organizations": True, "api_resource": API},
        )
    )
    # Roles are re-read from Logto on every organization page (the bake's bound, 5 minutes,
    # set to 0 here), so a change made in Logto below shows at once.
    bound = app.project / "logto_kit" / "auth" / "organizations.py"
    source = bound.read_text(encoding="utf-8")
    assert "ROLES_MAX_AGE_SECONDS = 300\n" in source
    bound.write_text(source.replace("ROLES_MAX_AGE_SECONDS = 300\n", "ROLES_MAX_AGE_SECONDS = 0\n"))

    with running_app(app, tmp_path) as app_url:
        sign_in_from_home(page, logto, app_url, user["username"])

        # The profile: both organizations, by name (userinfo), with the user's roles.
        page.goto(f"{app_url}/profile")
        listed = page.get_by_test_id("organizations")
        expect(listed.locator(f'tr[data-id="{shop["id"]}"]')).to_contain_text("Shop")
        expect(listed.locator(f'tr[data-id="{shop["id"]}"] td')).to_have_text("admin")
        expect(listed.locator(f'tr[data-id="{lab["id"]}"] td')).to_have_text("no role")
        expect(listed.locator(f'tr[data-id="{elsewhere["id"]}"]')).to_have_count(0)

        # The switcher: Shop becomes active; Logto grants its token (for the API, in Shop).
        page.get_by_role("link", name="Organization").click()
        page.wait_for_url(f"{app_url}/organization")
        page.get_by_test_id("organization-switcher").locator("select").select_option(shop["id"])
        page.get_by_role("button", name="Switch").click()
        active = page.get_by_test_id("active-organization")
        expect(active).to_have_attribute("data-id", shop["id"])
        token = page.get_by_test_id("organization-token")
        expect(token).to_contain_text(API)
        expect(token).to_contain_text(shop["id"])
        page.get_by_role("link", name="Administration").click()
        expect(page.get_by_test_id("organization-admin")).to_contain_text("Shop")

        # A forged switch to an organization the user is not in: 403, Shop stays active.
        page.goto(f"{app_url}/organization")
        switcher = page.get_by_test_id("organization-switcher")
        forge = "(select, id) => { select.options[0].value = id; select.selectedIndex = 0 }"
        switcher.locator("select").evaluate(forge, elsewhere["id"])
        page.get_by_role("button", name="Switch").click()
        expect(page.get_by_role("heading", name="Not your organization")).to_be_visible()
        page.goto(f"{app_url}/organization")
        expect(page.get_by_test_id("active-organization")).to_have_attribute("data-id", shop["id"])

        # Lab (member, no admin role): active, but its administration page is refused.
        page.get_by_test_id("organization-switcher").locator("select").select_option(lab["id"])
        page.get_by_role("button", name="Switch").click()
        expect(page.get_by_test_id("active-organization")).to_have_attribute("data-id", lab["id"])
        response = page.goto(f"{app_url}/organization/admin")
        assert response is not None and response.status == 403

        # Logto takes Shop's admin role away, then the membership: the next organization
        # page renews the ID token and acts on what Logto grants now.
        page.goto(f"{app_url}/organization")
        page.get_by_test_id("organization-switcher").locator("select").select_option(shop["id"])
        page.get_by_role("button", name="Switch").click()
        expect(page.get_by_test_id("active-organization")).to_have_attribute("data-id", shop["id"])
        response = page.goto(f"{app_url}/organization/admin")
        assert response is not None and response.status == 200
        user_in_shop = f"/api/organizations/{shop['id']}/users/{user['id']}"
        tenant.call("DELETE", f"{user_in_shop}/roles/{admin['id']}")
        response = page.goto(f"{app_url}/organization/admin")
        assert response is not None and response.status == 403
        expect(page.get_by_text("needs the 'admin' role")).to_be_visible()
        tenant.call("DELETE", user_in_shop)
        page.goto(f"{app_url}/organization")
        expect(page.get_by_test_id("active-organization")).to_have_count(0)
        switcher = page.get_by_test_id("organization-switcher").locator("select")
        expect(switcher.locator(f'option[value="{shop["id"]}"]')).to_have_count(0)
        response = page.goto(f"{app_url}/organization/admin")
        assert response is not None and response.status == 403

        # On a phone, the header's links (Profile, API access, Organization, Sign out) wrap
        # instead of making the page wider than the screen.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{app_url}/organization")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than a 390 px screen"
        expect(page.get_by_role("link", name="API access")).to_be_visible()

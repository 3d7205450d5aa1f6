"""A real browser signs in and out of each baked app - every framework with every session
store - served by its production server, against oidc-provider configured like Logto."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.browser import log_in_at_idp
from tests.support.e2e_stack import idp_and_bake
from tests.support.processes import free_port
from tests.support.stores import STORES

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS_DIR", Path(__file__).parents[2] / "artifacts"))


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("backend", "store"), STORES, ids=[store for _, store in STORES])
def test_sign_in_profile_sign_out(
    framework: str, backend: str, store: str, tmp_path: Path, page: Page
) -> None:
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    with (
        idp_and_bake(
            tmp_path, framework=framework, backend=backend, store=store, app_port=app_port
        ) as (idp, app),
        running_app(app, tmp_path),
    ):
        # Home, signed out -> Sign in -> the IdP asks for credentials -> home, signed in.
        page.goto(f"{app_url}/")
        expect(page.get_by_role("link", name="Create account").first).to_be_visible()
        page.get_by_role("link", name="Sign in").first.click()
        log_in_at_idp(page, idp.issuer, "alice")
        page.wait_for_url(f"{app_url}/")
        expect(page.get_by_test_id("user-name")).to_have_text("Alice Example")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"signed-in-{framework.lower()}-{store}.png"
        page.screenshot(path=shot, full_page=True)

        # Profile: ID token claims and the userinfo response.
        page.get_by_role("link", name="View your profile").click()
        page.wait_for_url(f"{app_url}/profile")
        expect(page.get_by_test_id("id-token-claims")).to_contain_text("alice")
        expect(page.get_by_test_id("id-token-claims")).to_contain_text(idp.issuer)
        expect(page.get_by_test_id("userinfo")).to_contain_text("alice@example.com")

        # Sign out goes through Logto's end-session and comes back signed out.
        page.get_by_role("button", name="Sign out").first.click()
        page.wait_for_url(f"{app_url}/")
        expect(page.get_by_role("link", name="Create account").first).to_be_visible()
        expect(page.get_by_test_id("user-name")).to_have_count(0)

        # The IdP session ended too: a protected page asks for credentials again,
        # and sign-in brings the user back to the page they asked for.
        page.goto(f"{app_url}/profile")
        log_in_at_idp(page, idp.issuer, "alice")
        page.wait_for_url(f"{app_url}/profile")
        expect(page.get_by_test_id("userinfo")).to_contain_text("alice@example.com")

        counts = idp.request_counts()
        assert counts["token"] == 2, counts  # one code exchange per sign-in
        requests = idp.authorization_requests()
        assert [request["code_challenge_method"] for request in requests] == ["S256"] * 2
        assert all(request["redirect_uri"] == f"{app_url}/callback" for request in requests)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_two_tabs_signing_in_at_once_both_end_on_their_own_page(
    framework: str, tmp_path: Path, page: Page
) -> None:
    """Two tabs of one browser start sign-in before either finishes; the first to come back
    is not the last started, and each lands on the page it asked for."""
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    with (
        idp_and_bake(
            tmp_path, framework=framework, backend="cookie", store="cookie", app_port=app_port
        ) as (idp, app),
        running_app(app, tmp_path),
    ):
        second = page.context.new_page()
        page.goto(f"{app_url}/profile")  # -> sign-in -> the IdP's login form
        second.goto(f"{app_url}/sign-in?next=/%3Ftab%3Dsecond")
        for tab, landing in ((page, f"{app_url}/profile"), (second, f"{app_url}/?tab=second")):
            log_in_at_idp(tab, idp.issuer, "alice")
            tab.wait_for_url(landing)
            expect(tab.get_by_role("button", name="Sign out").first).to_be_visible()
        second.close()

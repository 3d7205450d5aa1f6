"""A real browser signs in and out of each baked app, served by its production server,
against oidc-provider configured like Logto."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.baked_app import bake_app, running_app
from tests.support.browser import launch_chromium
from tests.support.oidc_idp import Idp, running_idp
from tests.support.processes import free_port

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS_DIR", Path(__file__).parents[2] / "artifacts"))
ACCOUNTS = {"alice": {"name": "Alice Example", "email": "alice@example.com"}}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()  # fresh cookies for every test
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def log_in_at_idp(page: Page, idp: Idp, login: str) -> None:
    """Fill the IdP's login form (it must ask for credentials), then grant consent."""
    expect(page.locator('input[name="login"]')).to_be_visible()
    assert page.url.startswith(f"{idp.issuer}/interaction/"), page.url
    page.fill('input[name="login"]', login)
    page.fill('input[name="password"]', "any-password")
    page.locator('button[type="submit"]').click()
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("framework", ["Flask", "Quart"])
def test_sign_in_profile_sign_out(framework: str, tmp_path: Path, page: Page) -> None:
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    client = {
        "client_id": f"e2e-{framework.lower()}",
        "client_secret": secrets.token_urlsafe(24),
        "redirect_uris": [f"{app_url}/callback"],
        "post_logout_redirect_uris": [f"{app_url}/"],
    }
    with running_idp(tmp_path, [client], ACCOUNTS) as idp:
        app = bake_app(
            tmp_path / "bake",
            framework=framework,
            port=app_port,
            logto_endpoint=idp.endpoint,
            app_id=client["client_id"],
            app_secret=client["client_secret"],
        )
        with running_app(app, tmp_path):
            # Home, signed out -> Sign in -> the IdP asks for credentials -> home, signed in.
            page.goto(f"{app_url}/")
            expect(page.get_by_role("link", name="Create account").first).to_be_visible()
            page.get_by_role("link", name="Sign in").first.click()
            log_in_at_idp(page, idp, "alice")
            page.wait_for_url(f"{app_url}/")
            expect(page.get_by_test_id("user-name")).to_have_text("Alice Example")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"signed-in-{framework.lower()}.png", full_page=True)

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
            log_in_at_idp(page, idp, "alice")
            page.wait_for_url(f"{app_url}/profile")
            expect(page.get_by_test_id("userinfo")).to_contain_text("alice@example.com")

            counts = idp.request_counts()
            assert counts["token"] == 2, counts  # one code exchange per sign-in
            requests = idp.authorization_requests()
            assert [request["code_challenge_method"] for request in requests] == ["S256"] * 2
            assert all(request["redirect_uri"] == f"{app_url}/callback" for request in requests)

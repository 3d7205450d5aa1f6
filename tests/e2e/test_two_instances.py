"""Two instances of one baked app (separate processes and ports) share sessions through the
same Redis or PostgreSQL: signed in through one means signed in on the other, and signing
out through either ends the session on both - server-side, not just in the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.browser import log_in_at_idp
from tests.support.e2e_stack import idp_and_bake
from tests.support.processes import free_port

pytestmark = pytest.mark.e2e

SHARED_STORES = [("redis", "redis"), ("sqlalchemy", "postgresql")]


def session_cookie(page: Page) -> dict[str, object]:
    cookies = [cookie for cookie in page.context.cookies() if cookie["name"] == "session"]
    assert len(cookies) == 1, cookies
    return dict(cookies[0])


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("backend", "store"), SHARED_STORES, ids=[s for _, s in SHARED_STORES])
def test_two_instances_share_one_session(
    framework: str, backend: str, store: str, tmp_path: Path, page: Page
) -> None:
    port_a, port_b = free_port(), free_port()
    url_a = f"http://127.0.0.1:{port_a}"  # the public URL Logto redirects to (APP_BASE_URL)
    with (
        idp_and_bake(
            tmp_path, framework=framework, backend=backend, store=store, app_port=port_a
        ) as (idp, app),
        running_app(app, tmp_path),
        running_app(app, tmp_path, port_b) as url_b,
    ):
        page.goto(f"{url_a}/sign-in")
        log_in_at_idp(page, idp.issuer, "alice")
        page.wait_for_url(f"{url_a}/")

        page.goto(f"{url_b}/profile")  # the other instance, same session
        assert page.url == f"{url_b}/profile"
        expect(page.get_by_test_id("id-token-claims")).to_contain_text("alice")
        stolen = session_cookie(page)

        page.goto(f"{url_b}/")
        page.get_by_role("button", name="Sign out").first.click()  # out through B
        page.wait_for_url(f"{url_a}/")

        # A browser that kept the old cookie is signed out on both instances.
        page.context.add_cookies([stolen])  # type: ignore[list-item]
        for url in (url_a, url_b):
            page.goto(f"{url}/")
            expect(page.get_by_role("link", name="Create account").first).to_be_visible()
            response = page.request.get(f"{url}/profile", max_redirects=0)
            assert response.status == 302
            assert "/sign-in" in response.headers["location"]

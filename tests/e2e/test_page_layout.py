"""Pages look right on a phone (390 px) and a laptop (1280 px) in Chromium: nothing wider than
the screen, the header's links each on one line, the favicon served. Screenshots of each page
at each width land in artifacts/ for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.browser import log_in_at_idp
from tests.support.e2e_stack import idp_and_bake
from tests.support.processes import free_port

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS_DIR", Path(__file__).parents[2] / "artifacts"))
WIDTHS = {"phone": 390, "laptop": 1280}


def check_layout(page: Page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what}: {overflow} px wider than the screen"
    for link in page.locator("header nav a, header nav button").all():
        box = link.bounding_box()
        line_height = link.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24")
        assert box is not None and box["height"] < 2 * line_height + 16, (
            f"{what}: {link.inner_text()!r} wraps ({box})"
        )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_pages_fit_phone_and_laptop_screens(framework: str, tmp_path: Path, page: Page) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (
        idp_and_bake(
            tmp_path, framework=framework, backend="cookie", store="cookie", app_port=port
        ) as (idp, app),
        running_app(app, tmp_path),
    ):
        assert page.request.get(f"{url}/favicon.ico").status == 200
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        signed_out = {"home": "/", "not-found": "/no-such-page"}
        signed_in = {"home-signed-in": "/", "profile": "/profile"}
        for pages, sign_in_first in ((signed_out, False), (signed_in, True)):
            if sign_in_first:
                page.goto(f"{url}/sign-in")
                log_in_at_idp(page, idp.issuer, "alice")
                page.wait_for_url(f"{url}/")
            for name, path in pages.items():
                for device, width in WIDTHS.items():
                    page.set_viewport_size({"width": width, "height": 844})
                    page.goto(f"{url}{path}")
                    check_layout(page, f"{name} at {width} px")
                    shot = ARTIFACTS / f"layout-{framework.lower()}-{name}-{device}.png"
                    page.screenshot(path=shot, full_page=True)

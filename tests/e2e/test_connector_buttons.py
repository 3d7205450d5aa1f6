"""The phone and Patreon buttons of a baked app reach the identity provider with Logto's exact
first-screen / direct sign-in parameters (asserted on the IdP side), next to the SDK's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.e2e_stack import idp_and_bake
from tests.support.processes import free_port

pytestmark = pytest.mark.e2e

EXPECTED = {
    "patreon": {"direct_sign_in": "social:patreon"},
    "phone": {"first_screen": "identifier:sign_in", "identifier": "phone"},
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_buttons_carry_exact_parameters(framework: str, tmp_path: Path, page: Page) -> None:
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    connectors = {"use_twilio": True, "use_patreon": True}
    with (
        idp_and_bake(
            tmp_path,
            framework=framework,
            backend="cookie",
            store="cookie",
            app_port=app_port,
            answers=connectors,
        ) as (idp, app),
        running_app(app, tmp_path),
    ):
        for slug, params in EXPECTED.items():
            page.goto(f"{app_url}/")
            page.get_by_test_id(f"sign-in-{slug}").click()
            expect(page.locator('input[name="login"]')).to_be_visible()  # at the IdP
            request = idp.authorization_requests()[-1]
            for name, value in params.items():
                assert request[name] == value, (slug, request)
            assert request["client_id"] == f"e2e-{framework}-cookie".lower()
            assert request["code_challenge_method"] == "S256"
            assert not ({"direct_sign_in", "first_screen", "identifier"} - set(params)) & set(
                request
            ), "no parameter of another button leaks in"
        assert len(idp.authorization_requests()) == len(EXPECTED)

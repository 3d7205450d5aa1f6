"""The quickest path, walked as a new user walks it against a real Logto, from a generated
`.env` with only the three values the path names (LOGTO_ENDPOINT, LOGTO_M2M_APP_ID,
LOGTO_M2M_APP_SECRET). Each walk is timed and its figures printed (and written to
artifacts/<walk>.json).

- The default bake (Flask, cookie sessions): the development server shows the setup page
  naming the placeholders; one `provision` exits 0 with nothing left; the development server
  turns into the app on the new `.env`; `doctor` exits 0; in Chromium the user signs in on
  Logto's page, sees their profile and signs out.
- The fullest bake (Quart, Redis, Twilio, Patreon, the API, organizations, back-channel
  logout), with the test's Redis: one `provision` sets up everything it can and exits 0,
  leaving both connectors for later; `doctor` lists exactly the credentials they wait for;
  `provision --demo-organization USER` makes the organization, role and membership once; then,
  in Chromium through Logto's sign-in page, the user sees the Demo organization with the admin
  role, makes it active and opens its Administration page."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from dotenv import dotenv_values
from playwright.sync_api import Page, expect

from tests.against_logto.test_browser_with_logto import PASSWORD, sign_in_from_home
from tests.support.baked_app import bake_app, running_app, set_env_values
from tests.support.http_user import HttpUser
from tests.support.logto_bake import logto_command
from tests.support.processes import free_port, running_process
from tests.support.real_logto import LogtoInstance, LogtoTenant
from tests.support.stores import running_store

pytestmark = pytest.mark.e2e

API = "https://api.shop.example"
FULLEST = {
    "web_framework": "Quart",
    "session_backend": "redis",
    "use_twilio": True,
    "use_patreon": True,
    "api_resource": API,
    "use_organizations": True,
    "use_backchannel_logout": True,
}
#: What a new project's `.env` holds before anything is filled in.
GENERATED = {
    "LOGTO_ENDPOINT": "https://your-tenant.logto.app",
    "LOGTO_APP_ID": "your-app-id",
    "LOGTO_APP_SECRET": "your-app-secret",
}
#: The connectors' credentials, as `.env.example` has them: what `provision` leaves for later.
CONNECTOR_VALUES = (
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_MESSAGING_SERVICE_SID",
    "PATREON_CLIENT_ID",
    "PATREON_CLIENT_SECRET",
)
DEMO = "Demo organization"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS_DIR", Path(__file__).parents[2] / "artifacts"))
TURN_TIMEOUT = 60.0  # seconds for the development server to restart on the new .env


def lines(output: str, prefix: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(prefix)]


@contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    timings[name] = round(time.monotonic() - started, 2)


def record(walk: str, timings: dict[str, float], capsys: pytest.CaptureFixture[str]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{walk}.json").write_text(json.dumps(timings, indent=2) + "\n")
    with capsys.disabled():
        print(f"\n{walk} (seconds):", json.dumps(timings))


def the_three_values(logto: LogtoInstance, dotenv: Path) -> dict[str, str]:
    """What the quickest path asks the user to write into `.env` (and the M2M resource when the
    suite's Logto has its own)."""
    values = {
        "LOGTO_ENDPOINT": logto.endpoint,
        "LOGTO_M2M_APP_ID": logto.m2m_app_id,
        "LOGTO_M2M_APP_SECRET": logto.m2m_app_secret,
    }
    set_env_values(dotenv, values)
    if logto.resource != "https://default.logto.app/api":  # a Logto of the suite's own
        with open(dotenv, "a", encoding="utf-8") as appended:
            appended.write(f"LOGTO_M2M_RESOURCE={logto.resource}\n")
    return values


def wait_for_the_app(user: HttpUser, app_url: str) -> None:
    """The development server restarts on the new `.env`; until then, the setup page (503) or
    no answer."""
    deadline = time.monotonic() + TURN_TIMEOUT
    while True:
        try:
            status = user.request(f"{app_url}/").status
        except OSError:
            status = 0
        if status == 200:
            return
        assert time.monotonic() < deadline, f"still not the app after .env changed: {status}"
        time.sleep(0.2)


def test_the_quickest_path_sets_up_the_default_bake(
    logto: LogtoInstance,
    tenant: LogtoTenant,
    tmp_path: Path,
    page: Page,
    capsys: pytest.CaptureFixture[str],
) -> None:
    timings: dict[str, float] = {}
    user = tenant.create_user("first_user", PASSWORD, name="First User")
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    app = bake_app(
        tmp_path,
        framework="Flask",
        port=port,
        logto_endpoint=GENERATED["LOGTO_ENDPOINT"],
        app_id=GENERATED["LOGTO_APP_ID"],
        app_secret=GENERATED["LOGTO_APP_SECRET"],
    )
    dotenv = app.project / ".env"
    generated = dotenv_values(dotenv)
    assert {name: generated[name] for name in GENERATED} == GENERATED
    browser_less = HttpUser()
    with running_process(
        [sys.executable, "-m", app.package],
        cwd=app.project,
        env=None,
        log_path=tmp_path / "dev-server.log",
        ready_url=f"{app_url}/static/style.css",
    ):
        # The README's first run: the setup page names every placeholder and the quickest path.
        setup = browser_less.request(f"{app_url}/")
        assert setup.status == 503
        for name in GENERATED:
            assert f"<li>{name} is still the placeholder" in setup.body, setup.body
        assert "<code>logto provision</code>" in setup.body

        the_three = the_three_values(logto, dotenv)
        changed = {n for n, v in dotenv_values(dotenv).items() if v != generated.get(n)}
        assert changed <= {*the_three, "LOGTO_M2M_RESOURCE"}, changed

        # One run: the app and its URIs, nothing left; exit 0.
        with timed(timings, "provision"):
            provision = logto_command(app, "provision")
        assert provision.returncode == 0, provision.stdout + provision.stderr
        assert provision.stderr == ""
        assert lines(provision.stdout, "done: "), provision.stdout
        assert not lines(provision.stdout, "fix: "), provision.stdout
        assert not lines(provision.stdout, "later: "), provision.stdout
        env = dotenv_values(dotenv)
        metadata = tenant.call("GET", f"/api/applications/{env['LOGTO_APP_ID']}")[
            "oidcClientMetadata"
        ]
        assert metadata["redirectUris"] == [f"{app_url}/callback"]
        assert metadata["postLogoutRedirectUris"] == [f"{app_url}/"]

        with timed(timings, "doctor"):
            doctor = logto_command(app, "doctor")
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert not lines(doctor.stdout, "fix: "), doctor.stdout

        # The running development server turns into the app by itself.
        with timed(timings, "the development server turns into the app"):
            wait_for_the_app(browser_less, app_url)

        with timed(timings, "sign-in (Chromium, Logto's pages)"):
            sign_in_from_home(page, logto, app_url, user["username"])
        expect(page.get_by_test_id("user-name")).to_have_text("First User")
        with timed(timings, "profile"):
            page.get_by_role("link", name="View your profile").click()
            page.wait_for_url(f"{app_url}/profile")
            expect(page.get_by_test_id("userinfo")).to_contain_text(f'"sub": "{user["id"]}"')
        with timed(timings, "sign-out"):
            page.get_by_role("button", name="Sign out").first.click()
            page.wait_for_url(f"{app_url}/")
            expect(page.get_by_role("link", name="Create account").first).to_be_visible()
        expect(page.get_by_test_id("user-name")).to_have_count(0)

    record("default_bake_walk", timings, capsys)


def test_the_quickest_path_sets_up_the_fullest_bake(
    logto: LogtoInstance,
    tenant: LogtoTenant,
    tmp_path: Path,
    page: Page,
    capsys: pytest.CaptureFixture[str],
) -> None:
    timings: dict[str, float] = {}
    user = tenant.create_user("org_admin", PASSWORD, name="Org Admin")
    with running_store("redis", tmp_path / "redis") as store_env:
        app = bake_app(
            tmp_path,
            framework="Quart",
            port=free_port(),
            logto_endpoint=GENERATED["LOGTO_ENDPOINT"],
            app_id=GENERATED["LOGTO_APP_ID"],
            app_secret=GENERATED["LOGTO_APP_SECRET"],
            answers=FULLEST,
        )
        generated = dotenv_values(app.project / ".env")
        assert {name: generated[name] for name in GENERATED} == GENERATED
        assert all(str(generated[name]).startswith("your-") for name in CONNECTOR_VALUES)
        assert not generated["LOGTO_M2M_APP_ID"] and not generated["LOGTO_M2M_APP_SECRET"]
        dotenv = app.project / ".env"
        set_env_values(dotenv, store_env)
        the_three = the_three_values(logto, dotenv)
        edited = dotenv_values(dotenv)
        changed = {name for name, value in edited.items() if value != generated.get(name)}
        assert changed <= {*the_three, *store_env, "LOGTO_M2M_RESOURCE"}, changed

        # One run: the app, its URIs, the API and the organization role; exit 0.
        with timed(timings, "provision"):
            provision = logto_command(app, "provision")
        assert provision.returncode == 0, provision.stdout + provision.stderr
        assert provision.stderr == ""
        assert lines(provision.stdout, "later: ") == [
            "later: the Twilio SMS connector waits for TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN "
            "and TWILIO_MESSAGING_SERVICE_SID in .env: `logto provision` creates it "
            "once they are there",
            "later: the Patreon connector waits for PATREON_CLIENT_ID and "
            "PATREON_CLIENT_SECRET in .env: `logto provision` creates it once they are "
            "there",
        ]
        left = lines(provision.stdout, "fix: ")
        assert [line.split(" ", 2)[1] for line in left] == list(CONNECTOR_VALUES), left
        assert lines(provision.stdout, "done: "), provision.stdout
        env = dotenv_values(dotenv)
        metadata = tenant.call("GET", f"/api/applications/{env['LOGTO_APP_ID']}")[
            "oidcClientMetadata"
        ]
        assert metadata["redirectUris"] == [f"{app.base_url}/callback"]
        assert metadata["backchannelLogoutUri"] == f"{app.base_url}/backchannel-logout"
        assert [r for r in tenant.call("GET", "/api/resources") if r["indicator"] == API]
        roles = tenant.all_pages("/api/organization-roles")
        assert [(r["name"], r["type"]) for r in roles] == [("admin", "User")]
        assert tenant.call("GET", "/api/connectors") == []

        # doctor: exactly what is left, the same lines.
        with timed(timings, "doctor"):
            doctor = logto_command(app, "doctor")
        assert doctor.returncode == 1, doctor.stdout + doctor.stderr
        assert lines(doctor.stdout, "fix: ") == left, doctor.stdout
        assert lines(doctor.stdout, "later: ") == lines(provision.stdout, "later: ")

        # An organization to try the pages with, once.
        with timed(timings, "provision --demo-organization"):
            demo = logto_command(app, "provision", "--demo-organization", user["username"])
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert f"create the organization {DEMO!r}" in demo.stdout
        again = logto_command(app, "provision", "--demo-organization", user["username"])
        assert again.returncode == 0, again.stdout + again.stderr
        assert "no changes: everything .env allows is set up" in again.stdout
        (organization,) = tenant.call("GET", f"/api/users/{user['id']}/organizations")
        assert organization["name"] == DEMO
        assert [r["name"] for r in organization["organizationRoles"]] == ["admin"]

        with running_app(app, tmp_path) as app_url:
            with timed(timings, "sign-in (Chromium, Logto's pages)"):
                sign_in_from_home(page, logto, app_url, user["username"])
            page.goto(f"{app_url}/organization")
            switcher = page.get_by_test_id("organization-switcher").locator("select")
            expect(switcher.locator(f'option[value="{organization["id"]}"]')).to_have_text(DEMO)
            page.goto(f"{app_url}/profile")
            listed = page.get_by_test_id("organizations")
            row = listed.locator(f'tr[data-id="{organization["id"]}"]')
            expect(row).to_contain_text(DEMO)
            expect(row.locator("td")).to_have_text("admin")
            page.goto(f"{app_url}/organization")
            switcher.select_option(organization["id"])
            page.get_by_role("button", name="Switch").click()
            active = page.get_by_test_id("active-organization")
            expect(active).to_have_attribute("data-id", organization["id"])
            page.get_by_role("link", name="Administration").click()
            expect(page.get_by_test_id("organization-admin")).to_contain_text(DEMO)

    record("fullest_bake_walk", timings, capsys)

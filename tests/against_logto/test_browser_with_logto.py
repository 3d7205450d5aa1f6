"""Real Chromium through Logto's own sign-in pages (its experience app): each framework's bake,
provisioned by its own `logto provision` with both connectors, signs a user in and out, renews
an expired ID token, keeps existing username users' sign-in as it was, and sends the phone and
Patreon buttons where they belong.

Nothing leaves the machine: every browser request to a host other than localhost/127.0.0.1 is
aborted (Logto's default sign-in page shows a logo from logto.io), and Patreon's authorize page
is answered by the test itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import BakedApp, running_app
from tests.support.logto_bake import (
    BOTH_CONNECTORS,
    CONNECTOR_ENV,
    bake_against,
    env_values,
    give_own_settings,
    provisioned,
)
from tests.support.processes import free_port
from tests.support.real_logto import LogtoInstance, LogtoTenant

pytestmark = pytest.mark.e2e

PASSWORD = "Brisk-Otter-42-Lantern"  # passes Logto's default password policy
#: The app counts an ID token as expired this long before its `exp` (EXPIRY_MARGIN_SECONDS in
#: logto_auth.py). Logto accepts any idTokenTtl (0, negative, fractional: it only checks for a
#: number), but a TTL at or below the margin leaves no moment the token counts as fresh; this
#: one is fresh for FRESH_SECONDS after it is issued: time to sign in and open the profile.
APP_EXPIRY_MARGIN = 30
FRESH_SECONDS = 6
ID_TOKEN_TTL = APP_EXPIRY_MARGIN + FRESH_SECONDS
RENEWAL_SLACK_SECONDS = 15  # how long past the expected expiry a renewal may take to show
POLL_SECONDS = 0.2
REFRESH_LOG_KEY = "ExchangeTokenBy.RefreshToken"
PATREON_AUTHORIZE = "https://www.patreon.com/oauth2/authorize"
#: Logto's screens for a username and password sign-in, in order.
SIGN_IN_SCREENS = ("/sign-in", "/sign-in/password")


def navigations(page: Page) -> list[str]:
    """The main frame's URLs from now on (documents and the experience app's own routes)."""
    visited: list[str] = []
    page.on("framenavigated", lambda frame: frame is page.main_frame and visited.append(frame.url))
    return visited


# -- Logto's sign-in pages -------------------------------------------------------------------
def sign_in_from_home(page: Page, logto: LogtoInstance, app_url: str, username: str) -> None:
    """The app's "Sign in" link, Logto's screens, and back on the app's home page."""
    page.goto(f"{app_url}/")
    page.get_by_role("link", name="Sign in").first.click()
    sign_in_at_logto(page, logto, app_url, username, PASSWORD)
    page.wait_for_url(f"{app_url}/")


def sign_in_at_logto(
    page: Page, logto: LogtoInstance, app_url: str, username: str, password: str
) -> None:
    """Logto's username screen, then its password screen (the experience app names its fields
    `identifier` and `password`, and its submit buttons `submit`), then straight back to the
    app: any other Logto screen (linking a phone, consent) fails here, naming it."""
    identifier = page.locator('input[name="identifier"]')
    expect(identifier).to_be_visible()
    assert urlsplit(page.url).path == "/sign-in", page.url
    assert page.url.startswith(logto.endpoint), page.url
    identifier.fill(username)
    page.locator('button[name="submit"]').click()
    password_field = page.locator('input[name="password"]')
    expect(password_field).to_be_visible()
    password_field.fill(password)
    page.locator('button[name="submit"]').click()
    page.wait_for_url(
        lambda url: url.startswith(app_url) or urlsplit(url).path not in SIGN_IN_SCREENS
    )
    assert page.url.startswith(f"{app_url}/"), f"Logto showed another screen: {page.url}"


def logto_screens(visited: list[str], logto: LogtoInstance) -> list[str]:
    """The paths of Logto's pages among `visited`, each once, in order."""
    paths = [urlsplit(url).path for url in visited if url.startswith(logto.endpoint)]
    return list(dict.fromkeys(paths))


def shown_claims(page: Page) -> dict[str, str]:
    """The ID token claims the profile page lists (name -> value as shown)."""
    rows = page.get_by_test_id("id-token-claims").locator("tr")
    expect(rows.first).to_be_visible()
    claims = {}
    for row in rows.all():
        cell = row.locator("td")  # a time shows as a date; its raw value is `data-raw`
        claims[row.locator("th").inner_text()] = cell.get_attribute("data-raw") or cell.inner_text()
    return claims


# -- the tenant ------------------------------------------------------------------------------
def provisioned_bake(tmp_path: Path, logto: LogtoInstance, framework: str) -> BakedApp:
    app = bake_against(
        tmp_path, logto, framework=framework, port=free_port(), answers=BOTH_CONNECTORS
    )
    return provisioned(app)


def set_id_token_ttl(tenant: LogtoTenant, app_id: str, seconds: int) -> None:
    """Logto's per-app ID token lifetime, the app's other custom client metadata kept."""
    path = f"/api/applications/{app_id}"
    metadata = tenant.call("GET", path)["customClientMetadata"]
    updated = tenant.call(
        "PATCH", path, {"customClientMetadata": {**metadata, "idTokenTtl": seconds}}
    )
    assert updated["customClientMetadata"] == {**metadata, "idTokenTtl": seconds}


def refresh_exchanges(tenant: LogtoTenant, app_id: str) -> int:
    """How many refresh-token grants Logto has logged for the app."""
    logs = tenant.call("GET", "/api/logs", logKey=REFRESH_LOG_KEY, applicationId=app_id)
    return len(logs)


def profile_after_renewal(
    page: Page, app_url: str, before: dict[str, str], what: str
) -> dict[str, str]:
    """Reload /profile (still signed in, never bounced to Logto) until its ID token is not
    `before`'s: the app renewed it once `before` counted as expired."""
    renewal_due = int(before["exp"]) - APP_EXPIRY_MARGIN - time.time()
    shown: dict[str, str] = {}

    def renewed() -> bool:
        page.reload()
        assert page.url == f"{app_url}/profile", f"bounced away on renewal: {page.url}"
        shown.update(shown_claims(page))
        return shown["iat"] != before["iat"]

    wait_until(what, renewed, max(renewal_due, 0) + RENEWAL_SLACK_SECONDS)
    return shown


def wait_until(what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(POLL_SECONDS)


# -- tests -----------------------------------------------------------------------------------
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_sign_in_renewal_and_sign_out(
    framework: str, logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path, page: Page
) -> None:
    """A username/password user signs in on Logto's page, sees their profile, has their
    expired ID token renewed by the app without seeing Logto again, and signs out."""
    username = f"reader_{framework.lower()}"
    user = tenant.create_user(username, PASSWORD, name=f"Reader of {framework}")
    app = provisioned_bake(tmp_path, logto, framework)
    app_id = env_values(app)["LOGTO_APP_ID"]
    set_id_token_ttl(tenant, app_id, ID_TOKEN_TTL)  # before signing in: it applies to the token

    with running_app(app, tmp_path) as app_url:
        visited = navigations(page)
        sign_in_from_home(page, logto, app_url, username)
        expect(page.get_by_test_id("user-name")).to_have_text(f"Reader of {framework}")

        # Profile: the ID token's claims (Logto's user id as `sub`) and Logto's userinfo.
        page.get_by_role("link", name="View your profile").click()
        page.wait_for_url(f"{app_url}/profile")
        first = shown_claims(page)
        assert first["sub"] == user["id"], first
        assert first["iss"] == logto.issuer, first
        assert first["aud"] == app_id, first
        assert int(first["exp"]) - int(first["iat"]) == ID_TOKEN_TTL, first
        expect(page.get_by_test_id("userinfo")).to_contain_text(f'"sub": "{user["id"]}"')
        expect(page.get_by_test_id("userinfo")).to_contain_text(f'"username": "{username}"')

        # Renewal: once the app counts the ID token as expired, a signed-in page renews it
        # with the refresh token (one refresh grant), and stays signed in on the app.
        assert refresh_exchanges(tenant, app_id) == 0, (
            f"the app renewed the ID token before the profile showed it: sign-in took longer "
            f"than FRESH_SECONDS={FRESH_SECONDS}, so the renewal cannot be told apart"
        )
        renewed = profile_after_renewal(page, app_url, first, "the profile shows a renewal")
        assert renewed["sub"] == first["sub"], renewed
        assert int(renewed["iat"]) > int(first["iat"]), (first, renewed)
        assert int(renewed["exp"]) - int(renewed["iat"]) == ID_TOKEN_TTL, renewed
        expect(page.get_by_role("button", name="Sign out").first).to_be_visible()
        wait_until(
            "Logto logs the app's refresh grant",
            lambda: refresh_exchanges(tenant, app_id) > 0,
            RENEWAL_SLACK_SECONDS,
        )
        assert refresh_exchanges(tenant, app_id) == 1, "one refresh grant for one renewal"

        # Logto did not rotate the refresh token (a Traditional app's rotates late in its
        # life): once the renewed ID token has expired in turn, the app renews again instead
        # of handing out the same, by then expired, token from its recent renewals.
        first_renewal = renewed
        renewed = profile_after_renewal(page, app_url, first_renewal, "a second renewal")
        assert int(renewed["iat"]) > int(first_renewal["iat"]), (first_renewal, renewed)
        assert refresh_exchanges(tenant, app_id) == 2, "one more refresh grant"
        page.goto(f"{app_url}/")
        expect(page.get_by_test_id("user-name")).to_have_text(f"Reader of {framework}")

        # Sign out: through Logto's end-session, back home signed out.
        visited.clear()
        page.get_by_role("button", name="Sign out").first.click()
        page.wait_for_url(f"{app_url}/")
        expect(page.get_by_role("link", name="Create account").first).to_be_visible()
        expect(page.get_by_test_id("user-name")).to_have_count(0)
        assert any(url.startswith(f"{logto.issuer}/session/end") for url in visited), visited

        # Logto's session ended too: a protected page asks for the username again.
        page.goto(f"{app_url}/profile")
        expect(page.locator('input[name="identifier"]')).to_be_visible()
        assert page.url.startswith(f"{logto.endpoint}/sign-in"), page.url


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_existing_user_signs_in_as_before(
    framework: str, logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path, page: Page
) -> None:
    """On a tenant already in use (its own branding, policies and Google button), a username
    user without a phone, there before `provision` added phone sign-in, goes through Logto's
    username and password screens only: no step asks for a phone."""
    give_own_settings(tenant)
    username = f"existing_{framework.lower()}"
    tenant.create_user(username, PASSWORD)
    app = provisioned_bake(tmp_path, logto, framework)

    with running_app(app, tmp_path) as app_url:
        visited = navigations(page)
        sign_in_from_home(page, logto, app_url, username)
        expect(page.get_by_test_id("user-name")).to_have_text(username)
        assert logto_screens(visited, logto) == list(SIGN_IN_SCREENS), visited


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_connector_buttons_land_at_phone_screen_and_patreon(
    framework: str, logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path, page: Page
) -> None:
    app = provisioned_bake(tmp_path, logto, framework)
    authorize_requests: list[str] = []

    def patreon(route: Route) -> None:  # answered here: nothing reaches Patreon
        authorize_requests.append(route.request.url)
        route.fulfill(content_type="text/html", body="<h1>Patreon stand-in</h1>")

    page.route("https://www.patreon.com/**", patreon)

    with running_app(app, tmp_path) as app_url:
        # "Continue with phone": Logto's phone-number screen (a country code and a tel input),
        # not its username form.
        page.goto(f"{app_url}/")
        page.get_by_test_id("sign-in-phone").click()
        phone = page.locator('input[name="identifier"]')
        expect(phone).to_be_visible()
        expect(phone).to_have_attribute("type", "tel")
        expect(phone).to_have_attribute("autocomplete", "tel")
        expect(page.get_by_test_id("prefix")).to_contain_text("+")  # the country code picker
        assert page.url.startswith(f"{logto.endpoint}/identifier-sign-in"), page.url
        assert parse_qs(urlsplit(page.url).query)["identifier"] == ["phone"], page.url

        # "Continue with Patreon": straight on to Patreon's authorize endpoint, for the
        # bake's Patreon client and Logto's callback for the `patreon` connector.
        page.goto(f"{app_url}/")
        page.get_by_test_id("sign-in-patreon").click()
        page.wait_for_url(f"{PATREON_AUTHORIZE}?**")
        expect(page.get_by_role("heading", name="Patreon stand-in")).to_be_visible()
        (authorize,) = authorize_requests
        assert authorize.split("?", 1)[0] == PATREON_AUTHORIZE, authorize
        query = parse_qs(urlsplit(authorize).query)
        assert query["client_id"] == [CONNECTOR_ENV["PATREON_CLIENT_ID"]], query
        assert query["redirect_uri"] == [f"{logto.endpoint}/callback/patreon"], query
        assert query["response_type"] == ["code"], query
        assert query.get("state", [""])[0], query

"""Sign-in, sign-up, profile and sign-out against an in-process Logto look-alike."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from logto_kit.auth import pending_sign_ins
from logto_kit.auth.pending_sign_ins import (
    MAX_PENDING,
    PENDING_KEY,
    PENDING_SECONDS,
)
from logto_kit.auth.session_storage import KEY_PREFIX
from logto_kit.web.claims import shown_claims

from .fake_logto import FakeLogto
from .flows import callback_path, csrf_token_in, query_of, sign_in
from .page_client import PageClient


def test_home_signed_out_offers_sign_in_and_sign_up(client: PageClient) -> None:
    page = client.get("/")
    assert page.status == 200
    assert 'href="/sign-in"' in page.text
    assert 'href="/sign-up"' in page.text
    assert "Sign out" not in page.text


def test_sign_in_redirects_to_logto_with_pkce(client: PageClient, logto: FakeLogto) -> None:
    page = client.get("/sign-in")
    assert page.status == 302
    assert page.location.startswith(f"{logto.issuer}/auth?")
    query = query_of(page.location)
    assert query["client_id"] == "test-app"
    assert query["redirect_uri"] == "http://localhost:3000/callback"
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert set(query["scope"].split()) >= {"openid", "offline_access", "profile", "email", "phone"}
    assert "interaction_mode" not in query


def test_sign_up_asks_logto_for_its_sign_up_screen(client: PageClient) -> None:
    page = client.get("/sign-up")
    assert page.status == 302
    assert query_of(page.location)["interaction_mode"] == "signUp"


def test_sign_in_shows_the_user_and_costs_one_token_request(
    client: PageClient, logto: FakeLogto
) -> None:
    def discovery_and_keys() -> tuple[int, int]:
        return (
            logto.request_count("/oidc/.well-known/openid-configuration"),
            logto.request_count("/oidc/jwks"),
        )

    assert discovery_and_keys() == (0, 0), "building the app calls nothing at Logto"
    callback = sign_in(client, logto)
    assert callback.status == 302
    assert callback.location.endswith("/")
    home = client.get("/")
    assert "Alice Example" in home.text
    assert "Sign out" in home.text
    assert logto.request_count("/oidc/token") == 1
    assert discovery_and_keys() == (1, 1), "fetched on first need, once"
    sign_in(client, logto)
    assert discovery_and_keys() == (1, 1), "kept for later sign-ins"


def test_a_sign_in_without_next_returns_where_the_app_says(
    client: PageClient, logto: FakeLogto
) -> None:
    client.extension("logto_auth").after_sign_in_path = "/profile"
    callback = sign_in(client, logto)
    assert callback.status == 302 and callback.location.endswith("/profile")
    callback = sign_in(client, logto, next_path="/")  # `next` still wins
    assert callback.status == 302 and callback.location.endswith("/")
    assert not callback.location.endswith("/profile")


def test_profile_sends_signed_out_visitor_through_sign_in_and_back(
    client: PageClient, logto: FakeLogto
) -> None:
    page = client.get("/profile", {"tab": "claims"})
    assert page.status == 302
    assert page.location.endswith("/sign-in?next=/profile?tab%3Dclaims")
    started = client.get("/sign-in", query_of(page.location))
    path, query = callback_path(logto.authorize(started.location))
    finished = client.get(path, query)
    assert finished.status == 302
    assert finished.location.endswith("/profile?tab=claims")


def test_off_site_next_is_ignored(client: PageClient, logto: FakeLogto) -> None:
    for next_path in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        callback = sign_in(client, logto, next_path=next_path)
        assert callback.status == 302
        assert callback.location == "/"


def test_the_return_path_is_sent_percent_encoded(client: PageClient, logto: FakeLogto) -> None:
    """A space in the return path is encoded: `Location` always holds a valid URL."""
    callback = sign_in(client, logto, next_path="/ /evil.example?q=é")
    assert callback.status == 302
    assert callback.location == "/%20/evil.example?q=%C3%A9"


def test_profile_shows_claims_and_userinfo_fetched_once(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in(client, logto)
    first = client.get("/profile")
    assert first.status == 200
    assert "u-alice" in first.text  # sub, from the ID token
    assert "alice@example.com" in first.text  # from userinfo
    second = client.get("/profile")
    assert second.status == 200
    assert "alice@example.com" in second.text
    assert logto.request_count("/oidc/me") == 1


def test_profile_without_userinfo_still_shows_claims(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    logto.down = True
    page = client.get("/profile")
    assert page.status == 200
    assert "u-alice" in page.text
    assert "could not be reached" in page.text


def test_sign_out_needs_the_form_token(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    confirmation = client.get("/sign-out")  # a confirmation page, not a sign-out
    assert confirmation.status == 200
    assert csrf_token_in(confirmation)
    assert client.post("/sign-out").status == 403
    assert client.post("/sign-out", {"csrf_token": "forged"}).status == 403
    assert "Alice Example" in client.get("/").text


def test_sign_out_ends_the_session_here_and_at_logto(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    page = client.post("/sign-out", {"csrf_token": csrf_token_in(client.get("/"))})
    assert page.status == 302
    assert page.location.startswith(f"{logto.issuer}/session/end?")
    query = query_of(page.location)
    assert query == {"client_id": "test-app", "post_logout_redirect_uri": "http://localhost:3000/"}
    assert client.session() == {}
    home = client.get("/")
    assert "Sign out" not in home.text
    assert client.get("/profile").status == 302


def test_new_sign_in_drops_old_tokens(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    client.get("/profile")  # stores an access token for userinfo
    assert KEY_PREFIX + "accessTokenMap" in client.session()
    client.get("/sign-in")
    stored = client.session()
    assert not {KEY_PREFIX + key for key in ("idToken", "accessTokenMap", "refreshToken")} & set(
        stored
    )
    assert "app.userinfo" not in stored


def test_two_tabs_signing_in_at_once_both_end_on_their_own_page(
    client: PageClient, logto: FakeLogto
) -> None:
    """The SDK keeps one pending sign-in; the app keeps one per `state`."""
    first = client.get("/sign-in", {"next": "/profile?tab=first"})
    second = client.get("/sign-in", {"next": "/?tab=second"})
    for started, next_path in ((first, "/profile?tab=first"), (second, "/?tab=second")):
        path, query = callback_path(logto.authorize(started.location))
        finished = client.get(path, query)
        assert finished.status == 302, finished.text
        assert finished.location.endswith(next_path)
    assert "Alice Example" in client.get("/").text
    assert PENDING_KEY not in client.session()  # nothing left pending


def test_pending_sign_ins_are_bounded(client: PageClient, logto: FakeLogto) -> None:
    starts = [client.get("/sign-in", {"next": f"/?n={n}"}) for n in range(MAX_PENDING + 1)]
    dropped = client.get(*callback_path(logto.authorize(starts[0].location)))
    assert dropped.status == 400 and "does not match" in dropped.text  # it may be stale
    newest = client.get(*callback_path(logto.authorize(starts[-1].location)))
    assert newest.status == 302 and newest.location.endswith(f"/?n={MAX_PENDING}")


def test_a_pending_sign_in_expires(
    client: PageClient, logto: FakeLogto, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = client.get("/sign-in")
    later = time.time() + PENDING_SECONDS + 1
    monkeypatch.setattr(pending_sign_ins, "time", SimpleNamespace(time=lambda: later))
    expired = client.get(*callback_path(logto.authorize(started.location)))
    assert expired.status == 400 and "not started here" in expired.text


def test_profile_shows_claim_times_as_dates_with_the_raw_value(
    client: PageClient, logto: FakeLogto
) -> None:
    sign_in(client, logto)
    page = client.get("/profile")
    exp_row = (
        r'<th>exp</th><td data-raw="(\d+)"><time datetime="([^"]+)" title="\d+">([^<]+)</time>'
    )
    match = re.search(exp_row, page.text)
    assert match, page.text
    raw, machine, shown = match.groups()
    moment = datetime.fromtimestamp(int(raw), UTC)
    assert (shown, machine) == (moment.strftime("%Y-%m-%d %H:%M:%S UTC"), moment.isoformat())
    assert f"<code>{raw}</code>" in page.text  # one click away
    assert re.search(r"<th>sub</th><td><code>[^<]+</code></td>", page.text)  # others as they are


def test_claims_are_shown_as_json_writes_them() -> None:
    """The same notation as the userinfo beside them: `false`, `null`, lists in brackets."""
    claims = {"email_verified": False, "phone_number": None, "roles": ["a", "b"], "name": "Ann"}
    shown = {claim.name: claim.raw for claim in shown_claims(claims)}
    assert shown == {
        "email_verified": "false",
        "name": "Ann",
        "phone_number": "null",
        "roles": '["a", "b"]',
    }
    assert [claim.name for claim in shown_claims(claims, ("roles", "exp", "name"))] == [
        "roles",
        "name",
    ]

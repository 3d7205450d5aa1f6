"""POST /backchannel-logout ends exactly the sessions of the Logto session (or user) a valid
logout token names, in this bake's framework and store: other users and the same user's other
Logto sessions stay signed in; a refused token (forged, replayed, malformed) ends nothing; a
store or Logto outage is a 503, never a 500."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator

import pytest

from logto_kit.settings import MIN_REQUEST_BYTES, Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto, FakeUser
from .flows import callback_path
from .logout_token_maker import OMIT, forged_token, logout_token
from .page_client import PageClient
from .pages import Page
from .store_outages import Outage

PATH = "/backchannel-logout"
BOB = FakeUser(sub="u-bob", name="Bob Example", username="bob", email="bob@example.com")
Browser = Callable[[], PageClient]


@pytest.fixture
def idp(logto: FakeLogto) -> FakeLogto:
    logto.include_sid = True  # as Logto does once provision sets backchannelLogoutSessionRequired
    return logto


def opener(settings: Settings) -> Iterator[Browser]:
    """Browsers of their own, each on an app instance of its own, all on the one store."""
    opened: list[PageClient] = []

    def open_browser() -> PageClient:
        opened.append(PageClient(create_app(settings)))
        return opened[-1]

    yield open_browser
    for browser in opened:
        browser.close()


@pytest.fixture
def browser(settings: Settings, idp: FakeLogto) -> Iterator[Browser]:
    yield from opener(settings)


def sign_in(browser: PageClient, idp: FakeLogto, user: FakeUser | None = None) -> str:
    """Sign `browser` in as `user` (a new Logto session); returns its Logto `sid`."""
    started = browser.get("/sign-in")
    path, query = callback_path(idp.authorize(started.location, user))
    sid = idp.last_sid
    assert browser.get(path, query).status == 302
    return sid


def shows(browser: PageClient, name: str) -> bool:
    return name in browser.get("/").text


def post_token(browser: PageClient, token: str | None) -> Page:
    """What Logto's server does: a form POST, with no cookie."""
    return browser.post(PATH, {} if token is None else {"logout_token": token})


def test_a_valid_token_ends_exactly_that_logto_sessions_sessions(
    browser: Browser, idp: FakeLogto
) -> None:
    alice, alice_elsewhere, bob, logto_server = browser(), browser(), browser(), browser()
    sid = sign_in(alice, idp)
    sign_in(alice_elsewhere, idp)  # the same user, another Logto session
    sign_in(bob, idp, BOB)
    assert shows(alice, "Alice Example") and shows(bob, "Bob Example")

    answer = post_token(logto_server, logout_token(idp, sid=sid))
    assert answer.status == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert "set-cookie" not in answer.headers  # no session made for Logto's server

    assert not shows(alice, "Alice Example")
    assert alice.get("/profile").status == 302  # signed out: sent to sign in
    assert shows(alice_elsewhere, "Alice Example")
    assert shows(bob, "Bob Example")


@pytest.mark.parametrize("algorithm", ["ES384", "RS256"])
def test_a_token_with_only_sub_ends_every_session_of_that_user(
    browser: Browser, idp: FakeLogto, algorithm: str
) -> None:
    idp.publish_rsa_key()
    alice, alice_elsewhere, bob = browser(), browser(), browser()
    sign_in(alice, idp)
    sign_in(alice_elsewhere, idp)
    sign_in(bob, idp, BOB)
    answer = post_token(browser(), logout_token(idp, algorithm, sid=OMIT, sub="u-alice"))
    assert answer.status == 200, answer.text
    assert not shows(alice, "Alice Example")
    assert not shows(alice_elsewhere, "Alice Example")
    assert shows(bob, "Bob Example")


def test_without_sid_in_id_tokens_sessions_are_bound_to_their_user(
    browser: Browser, idp: FakeLogto
) -> None:
    """An app registered without backchannelLogoutSessionRequired gets no `sid`: a token with a
    sid then ends nothing, one with the user's sub ends their sessions."""
    idp.include_sid = False
    alice = browser()
    sid = sign_in(alice, idp)
    assert post_token(browser(), logout_token(idp, sid=sid, sub="u-alice")).status == 200
    assert shows(alice, "Alice Example")
    assert post_token(browser(), logout_token(idp, sid=OMIT, sub="u-alice")).status == 200
    assert not shows(alice, "Alice Example")


def test_a_replayed_token_is_refused_and_ends_nothing(browser: Browser, idp: FakeLogto) -> None:
    alice = browser()
    sign_in(alice, idp)
    token = logout_token(idp, sid=OMIT, sub="u-alice")  # every session of Alice's
    assert post_token(browser(), token).status == 200
    assert not shows(alice, "Alice Example")
    sign_in(alice, idp)  # signed in again: the same token, sent again, must not end it
    replay = post_token(browser(), token)
    assert replay.status == 400
    assert json.loads(replay.text)["error"] == "invalid_request"
    assert "already used" in json.loads(replay.text)["error_description"]
    assert shows(alice, "Alice Example")


@pytest.mark.parametrize(
    "token",
    [None, "", "not-a-jwt", "forged", "wrong audience", "nonce"],
)
def test_a_refused_token_is_a_400_in_json_and_ends_nothing(
    browser: Browser, idp: FakeLogto, token: str | None
) -> None:
    alice = browser()
    sid = sign_in(alice, idp)
    made = {
        "forged": lambda: forged_token(idp, sid=sid),
        "wrong audience": lambda: logout_token(idp, sid=sid, aud="another-app"),
        "nonce": lambda: logout_token(idp, sid=sid, nonce="n"),
    }
    answer = post_token(browser(), made[token]() if token in made else token)
    assert answer.status == 400, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "no-store"
    body = json.loads(answer.text)
    assert body["error"] == "invalid_request" and body["error_description"]
    assert shows(alice, "Alice Example")


def test_a_token_for_no_bound_session_is_still_a_200(browser: Browser, idp: FakeLogto) -> None:
    answer = post_token(browser(), logout_token(idp, sid="a-session-never-seen-here"))
    assert answer.status == 200
    assert answer.headers["cache-control"] == "no-store"


def test_the_endpoint_needs_no_csrf_token_and_takes_no_get(browser: Browser) -> None:
    logto_server = browser()
    assert logto_server.get(PATH).status == 405
    assert post_token(logto_server, None).status == 400  # a JSON 400, not a CSRF refusal


def test_a_body_over_the_limit_is_a_413_and_ends_nothing(
    settings: Settings, idp: FakeLogto
) -> None:
    """Anyone can POST here: a large body is refused before it is read (MAX_REQUEST_BYTES)."""
    for browser in opener(dataclasses.replace(settings, max_request_bytes=MIN_REQUEST_BYTES)):
        alice = browser()
        token = logout_token(idp, sid=sign_in(alice, idp))
        padded = {"logout_token": token, "padding": "x" * MIN_REQUEST_BYTES}
        answer = browser().post(PATH, padded)
        assert answer.status == 413 and "Request too large" in answer.text
        assert shows(alice, "Alice Example")
        assert post_token(browser(), token).status == 200  # within the limit: as before
        assert not shows(alice, "Alice Example")


def test_logto_unreachable_is_a_503(settings: Settings, idp: FakeLogto) -> None:
    """Keys that cannot be fetched (Logto down at start, then its JWKS failing): 503, and the
    token works once Logto answers."""
    idp.down = True
    for server in opener(settings):
        logto_server = server()
        token = logout_token(idp)
        assert post_token(logto_server, token).status == 503
        idp.down, idp.jwks_down = False, True
        answer = post_token(logto_server, token)
        assert answer.status == 503, answer.text
        assert json.loads(answer.text)["error"] == "temporarily_unavailable"
        idp.jwks_down = False
        assert post_token(logto_server, token).status == 200


def test_a_store_outage_is_a_503_and_the_token_works_once_it_is_back(
    settings: Settings, idp: FakeLogto, outage: Outage
) -> None:
    for name, fault in outage.faults.items():
        faulty = dataclasses.replace(settings, **outage.settings)  # type: ignore[arg-type]
        for server in opener(faulty):
            alice = server()
            sid = sign_in(alice, idp)
            token = logout_token(idp, sid=sid)
            fault.begin()
            try:
                answer = post_token(server(), token)
            finally:
                fault.end()
            assert answer.status == 503, (name, answer.text)
            assert json.loads(answer.text)["error"] == "temporarily_unavailable"
            retried, deadline = post_token(server(), token), time.monotonic() + 10
            while retried.status == 503 and time.monotonic() < deadline:
                retried = post_token(server(), token)  # the store is checked again after 1 s
            assert retried.status == 200, (name, retried.text)
            if fault.keeps_sessions:
                assert not shows(alice, "Alice Example"), name


def test_the_endpoint_neither_reads_nor_writes_a_session(
    browser: Browser, idp: FakeLogto, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a request carrying a session cookie: the store is not read and no cookie is set."""
    alice = browser()
    sid = sign_in(alice, idp)
    store = alice.session_store()
    loads: list[str] = []
    load = store.load

    def counted_load(session_id: str) -> object:
        loads.append(session_id)
        return load(session_id)

    monkeypatch.setattr(store, "load", counted_load)
    answer = post_token(alice, logout_token(idp, sid=sid))
    assert answer.status == 200, answer.text
    assert loads == []
    assert "set-cookie" not in answer.headers
    assert not shows(alice, "Alice Example")
    assert loads  # the page did read it

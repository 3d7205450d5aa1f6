"""The server-side session interface, over an in-memory store that records every call.

Security: an id the client made up is never adopted (no fixation), sign-in renews the id and
deletes the old record, sign-out deletes the record and the cookie, and a malformed cookie
never reaches the store. Only signed-in sessions are stored: a signed-out visitor's session
stays in a signed cookie, so anonymous traffic cannot fill the store. Cost: a request reads at
most once and writes at most once, and a request that changes nothing writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer

from logto_kit.sessions import server_side as server_sessions
from logto_kit.sessions.server_side import SID_RE, SessionStore
from logto_kit.settings import SESSION_LIFETIME_SECONDS as LIFETIME

from .tiny_session_app import SECRET_KEY, TinySessionApp


class MemoryStore(SessionStore):
    address = "memory://sessions"

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, tuple[dict[str, Any], int]] = {}
        self.calls: list[tuple[str, str]] = []
        self.failing: set[str] = set()  # actions that raise, as when the server is down

    def call(self, action: str, sid: str) -> None:
        self.calls.append((action, sid))
        if action in self.failing:
            raise ConnectionError("connection refused")

    def load(self, sid: str) -> dict[str, Any] | None:
        self.call("load", sid)
        record = self.records.get(sid)
        return None if record is None else dict(record[0])

    def _write(self, sid: str, data: dict[str, Any], ttl_seconds: int, purge: bool) -> None:
        self.call("save", sid)
        self.records[sid] = (dict(data), ttl_seconds)

    def delete(self, sid: str) -> None:
        self.call("delete", sid)
        self.records.pop(sid, None)

    def prepare(self) -> None:
        pass

    def ping(self) -> None:
        pass

    def unreachable(self, error: BaseException) -> str:
        return f"cannot reach the memory at {self.address}: {error}"

    def close(self) -> None:
        pass


@dataclass
class Result:
    status: int
    text: str
    set_cookies: list[str]
    calls: list[tuple[str, str]]
    vary: str

    @property
    def cookie(self) -> str:
        (header,) = self.set_cookies
        return header.split(";", 1)[0].removeprefix("session=")


class Browser:
    """Sends one request at a time with exactly the cookie given; checks the store's cost."""

    def __init__(self, **config: Any) -> None:
        self.store = MemoryStore()
        self.app = TinySessionApp(self.store, **config)

    def send(self, method: str, path: str, cookie: str | None = None) -> Result:
        """A GET or POST to `path`, with `session=<cookie>` when given."""
        self.store.calls.clear()
        page, set_cookies = self.app.send(method, path, cookie)
        vary = page.headers.get("vary", "")
        result = Result(page.status, page.text, set_cookies, list(self.store.calls), vary)
        actions = [action for action, _sid in result.calls]
        assert actions.count("load") <= 1 and actions.count("save") <= 1, result.calls
        return result

    def signed_in_as(self, user: str) -> str:
        return self.send("POST", f"/set/{user}").cookie


def test_a_visitor_who_changes_nothing_costs_no_store_call_and_gets_no_cookie() -> None:
    result = Browser().send("GET", "/read")
    assert (result.status, result.calls, result.set_cookies) == (200, [], [])


def test_a_change_is_saved_under_a_new_random_id_that_only_the_cookie_carries() -> None:
    browser = Browser()
    result = browser.send("POST", "/set/alice")
    sid = result.cookie
    assert SID_RE.fullmatch(sid)
    assert result.calls == [("save", sid)]
    assert browser.store.records == {sid: ({"user": "alice"}, LIFETIME)}
    attributes = result.set_cookies[0].split("; ")[1:]
    assert sorted(attributes) == ["HttpOnly", "Path=/", "SameSite=Lax"]  # ends with the browser
    assert "Cookie" in result.vary


@pytest.mark.parametrize(
    ("config", "path", "attribute"),
    [({"SESSION_COOKIE_SECURE": True}, "/set/alice", "Secure"), ({}, "/remember", "Expires=")],
)
def test_the_cookie_follows_the_app_config_and_session_permanence(
    config: dict[str, Any], path: str, attribute: str
) -> None:
    result = Browser(**config).send("POST", path)
    assert any(part.startswith(attribute) for part in result.set_cookies[0].split("; "))


def test_reading_a_session_loads_it_once_and_writes_nothing() -> None:
    browser = Browser()
    sid = browser.signed_in_as("alice")
    result = browser.send("GET", "/read", sid)
    assert (result.text, result.calls, result.set_cookies) == ("alice", [("load", sid)], [])
    assert "Cookie" in result.vary


def test_an_id_the_client_chose_is_never_adopted() -> None:
    browser = Browser()
    chosen = "A" * 43  # well-formed, but no such session
    result = browser.send("POST", "/set/victim", chosen)
    sid = result.cookie
    assert sid != chosen
    assert result.calls == [("load", chosen), ("save", sid)]
    assert list(browser.store.records) == [sid]


@pytest.mark.parametrize(
    "cookie", ["", "short", "../../../etc/passwd", "A" * 42 + "/", "A" * 44, "A" * 42 + "=="]
)
def test_a_malformed_cookie_never_reaches_the_store(cookie: str) -> None:
    browser = Browser()
    assert browser.send("GET", "/read", cookie).calls == []
    result = browser.send("POST", "/set/x", cookie)
    assert result.calls == [("save", result.cookie)] and result.cookie != cookie


def test_sign_in_renews_the_id_and_deletes_the_old_record() -> None:
    browser = Browser()
    old = browser.signed_in_as("visitor")
    result = browser.send("POST", "/sign-in", old)
    new = result.cookie
    assert SID_RE.fullmatch(new) and new != old
    assert result.calls == [("load", old), ("delete", old), ("save", new)]
    assert browser.store.records == {new: ({"user": "signed-in"}, LIFETIME)}
    assert browser.send("GET", "/read", old).text == ""  # the old id opens nothing
    assert browser.send("GET", "/read", new).text == "signed-in"


def test_sign_in_without_a_stored_session_deletes_nothing() -> None:
    result = Browser().send("POST", "/sign-in")
    assert result.calls == [("save", result.cookie)]


def test_sign_out_deletes_the_record_and_the_cookie() -> None:
    browser = Browser()
    sid = browser.signed_in_as("alice")
    result = browser.send("POST", "/sign-out", sid)
    assert result.calls == [("load", sid), ("delete", sid)]
    assert browser.store.records == {}
    (header,) = result.set_cookies
    assert header.startswith("session=;") and "Max-Age=0" in header


def test_emptying_a_session_that_was_never_stored_costs_no_store_call() -> None:
    assert Browser().send("POST", "/sign-out").calls == []


@pytest.mark.parametrize("action", ["load", "save"])
def test_a_store_failure_shows_the_error_page_and_is_logged_with_the_store_address(
    action: str, caplog: pytest.LogCaptureFixture
) -> None:
    browser = Browser()
    sid = browser.signed_in_as("alice")
    browser.store.failing.add(action)
    with caplog.at_level(logging.ERROR):
        result = browser.send("POST", "/set/bob", sid)
    assert (result.status, result.text, result.set_cookies) == (500, "error page", [])
    assert result.calls == [("load", sid)] + ([("save", sid)] if action == "save" else [])
    assert browser.store.records[sid][0] == {"user": "alice"}
    assert f"session store at memory://sessions: {action} failed: connection refused" in caplog.text


def test_a_signed_out_visitors_session_stays_in_a_signed_cookie_never_in_the_store() -> None:
    browser = Browser()
    noted = browser.send("POST", "/note/hello")
    assert noted.calls == [] and browser.store.records == {}
    assert not SID_RE.fullmatch(noted.cookie)  # the data itself, signed
    read = browser.send("GET", "/read-note", noted.cookie)
    assert (read.text, read.calls) == ("hello", [])


def test_many_signed_out_visitors_leave_no_record() -> None:
    browser = Browser()
    for index in range(200):
        assert browser.send("POST", f"/note/visitor-{index}").calls == []
    assert browser.store.records == {}


@pytest.mark.parametrize("tampered", ["flip", "other-key", "holds-sign-in"])
def test_a_signed_cookie_is_trusted_only_as_the_app_signed_it(tampered: str) -> None:
    """A forged or re-signed cookie opens an empty session; so does a signed cookie holding a
    sign-in (the app never makes one: sign-ins live in the store, where sign-out ends them)."""
    browser = Browser()
    serializer = URLSafeTimedSerializer(SECRET_KEY, salt="cookie-session")
    cookie = {
        "flip": browser.send("POST", "/note/hello").cookie[:-2] + "AA",
        "other-key": URLSafeTimedSerializer("another key", salt="cookie-session").dumps(
            {"note": "hello"}
        ),
        "holds-sign-in": serializer.dumps({"note": "hello", "user": "mallory"}),
    }[tampered]
    assert serializer.loads(serializer.dumps({"note": "hello"})) == {"note": "hello"}
    for path in ("/read-note", "/read"):
        result = browser.send("GET", path, cookie)
        assert (result.text, result.calls) == ("", [])


def test_signing_in_moves_the_visitors_session_into_the_store() -> None:
    browser = Browser()
    visitor = browser.send("POST", "/note/hello").cookie
    result = browser.send("POST", "/sign-in", visitor)
    sid = result.cookie
    assert SID_RE.fullmatch(sid) and result.calls == [("save", sid)]
    assert browser.store.records == {sid: ({"note": "hello", "user": "signed-in"}, LIFETIME)}


def test_a_session_that_loses_its_sign_in_leaves_the_store_for_the_cookie() -> None:
    browser = Browser()
    sid = browser.signed_in_as("alice")
    result = browser.send("POST", "/sign-out-and-note", sid)
    assert result.calls == [("load", sid), ("delete", sid)] and browser.store.records == {}
    assert browser.send("GET", "/read-note", result.cookie).text == "signed out"


def test_a_signed_out_session_too_large_for_a_cookie_is_not_sent_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    browser = Browser()
    with caplog.at_level(logging.ERROR):
        result = browser.send("POST", "/big-note")
    assert (result.status, result.set_cookies, result.calls) == (200, [], [])
    assert "keep less in the session before sign-in" in caplog.text


def test_regenerate_refuses_a_session_that_is_not_server_side() -> None:
    with pytest.raises(TypeError):
        server_sessions.regenerate({})


class DownStore(MemoryStore):
    """A store whose check fails, counting the checks."""

    def __init__(self) -> None:
        super().__init__()
        self.checks = 0

    def prepare(self) -> None:
        self.checks += 1
        raise ConnectionError("connection refused")


def test_while_the_store_is_down_requests_share_one_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Requests during an outage fail on the last check's outcome for a moment instead of each
    checking in turn (a hung store would make the last of N requests wait N time limits)."""
    store = DownStore()
    now = [1000.0]
    monkeypatch.setattr(server_sessions, "time", SimpleNamespace(monotonic=lambda: now[0]))
    for _ in range(5):
        with pytest.raises(ConnectionError):
            store.ensure_ready()
    assert store.checks == 1
    now[0] += SessionStore.RETRY_AFTER_SECONDS
    with pytest.raises(ConnectionError):
        store.ensure_ready()
    assert store.checks == 2  # checked again once the moment passed

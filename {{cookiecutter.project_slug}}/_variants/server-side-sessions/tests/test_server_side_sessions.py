"""Server-side sessions: the cookie carries only an id, sign-in renews the id (no session
fixation), sign-out deletes the record rather than emptying it, and only signed-in sessions
are stored: anonymous visitors cannot fill the store."""

from __future__ import annotations

from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import callback_path, csrf_token_in, sign_in
from .page_client import PageClient
from .session_store import StoreProbe, StoreRecords

ANONYMOUS_SIGN_INS = 50


def session_id(client: PageClient) -> str:
    sid = client.cookie("session")
    assert sid, "no session cookie"
    return sid


def test_cookie_holds_only_a_random_id(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    sid = session_id(client)
    assert 32 <= len(sid) < 100
    assert "." not in sid  # no JWT, no signed payload: just the id
    assert "Alice Example" in client.get("/").text


def test_sign_in_moves_the_session_into_the_store_under_a_new_id(
    client: PageClient, logto: FakeLogto, store_records: StoreRecords
) -> None:
    started = client.get("/sign-in")
    before = session_id(client)
    assert store_records() == [], "a signed-out visitor's session is not stored"
    path, query = callback_path(logto.authorize(started.location))
    assert client.get(path, query).status == 302
    after = session_id(client)
    assert after != before
    assert [sid for sid, _ in store_records()] == [after]
    assert "Alice Example" in client.get("/").text


def test_anonymous_sign_ins_leave_no_record_in_the_store(
    settings: Settings, store_records: StoreRecords
) -> None:
    """However many visitors start a sign-in and never come back, the store stays empty:
    their pending sign-ins (at most a few each, for 15 minutes) are in their own cookies."""
    app = create_app(settings)
    for _ in range(ANONYMOUS_SIGN_INS):
        visitor = PageClient(app)
        assert visitor.get("/sign-in").status == 302
        visitor.close()
    assert store_records() == []


def test_sign_out_deletes_the_record(
    client: PageClient, logto: FakeLogto, store_probe: StoreProbe
) -> None:
    sign_in(client, logto)
    sid = session_id(client)
    page = client.post("/sign-out", {"csrf_token": csrf_token_in(client.get("/"))})
    assert page.status == 302
    assert not store_probe(sid)
    assert client.cookie("session") is None
    assert client.get("/profile").status == 302


def test_a_cookie_copied_before_sign_out_opens_nothing(
    client: PageClient, logto: FakeLogto
) -> None:
    """What the cookie backend cannot do: the record is gone, so a copy is worthless."""
    sign_in(client, logto)
    copied = session_id(client)
    client.post("/sign-out", {"csrf_token": csrf_token_in(client.get("/"))})
    client.set_cookie("session", copied)
    assert "Alice Example" not in client.get("/").text
    assert client.get("/profile").status == 302

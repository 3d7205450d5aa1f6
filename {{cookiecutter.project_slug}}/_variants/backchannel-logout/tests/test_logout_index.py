"""The store's back-channel records, for this bake's store: which sessions each Logto session
(and user) signed in, ended together; used logout tokens, noted once; and none of them
outliving the sessions they name."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from logto_kit.sessions.server_side import LogtoSession, SessionStore, new_sid
from logto_kit.sessions.store import open_store
from logto_kit.settings import Settings

TTL = 60


@pytest.fixture
def store(settings: Settings) -> Iterator[SessionStore]:
    opened = open_store(settings)
    yield opened
    opened.close()


def index_records(store: SessionStore) -> int:
    """How many back-channel index records the store holds, in its own layout."""
    if hasattr(store, "client"):  # Redis: members of logto-sid:* and logto-sub:*
        keys = store.client.keys("logto-s*")
        return sum(int(store.client.zcard(key)) for key in keys)
    if hasattr(store, "engine"):  # SQL: rows of logto_sessions
        with store.engine.connect() as connection:
            query = "SELECT COUNT(*) FROM logto_sessions"
            return int(connection.exec_driver_sql(query).scalar_one())
    directory: Path = store.directory  # type: ignore[attr-defined]  # files
    return len([*directory.glob("logto-sids/*/*"), *directory.glob("logto-subs/*/*")])


def saved(store: SessionStore, logto_session: LogtoSession, ttl: int = TTL) -> str:
    sid = new_sid()
    store.bind(sid, logto_session, ttl)
    store.save(sid, {"signed": "in"}, TTL)
    return sid


def test_sessions_end_by_logto_session_or_by_user(store: SessionStore) -> None:
    one = saved(store, LogtoSession("logto-1", "alice"))
    two = saved(store, LogtoSession("logto-1", "alice"))  # a second app instance's session
    other = saved(store, LogtoSession("logto-2", "alice"))
    bob = saved(store, LogtoSession("logto-3", "bob"))
    assert store.end_logto_session("logto-1", "alice") == 2
    assert (store.load(one), store.load(two)) == (None, None)
    assert store.load(other) is not None and store.load(bob) is not None
    assert store.end_logto_session("logto-1", "alice") == 0  # nothing left to end
    assert store.end_logto_session(None, "alice") >= 1
    assert store.load(other) is None and store.load(bob) is not None
    assert store.end_logto_session(None, None) == 0


def test_a_logout_token_is_noted_once_until_forgotten(store: SessionStore) -> None:
    until = int(time.time()) + TTL
    assert store.remember_logout_token("jti-1", until) is True
    assert store.remember_logout_token("jti-1", until) is False
    assert store.remember_logout_token("jti-2", until) is True
    store.forget_logout_token("jti-1")
    assert store.remember_logout_token("jti-1", until) is True


def test_index_records_expire_with_their_sessions(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(store, LogtoSession("logto-1", "alice"))
    live = index_records(store)
    assert live > 0
    saved(store, LogtoSession("logto-old", "carol"), ttl=-5)  # already expired
    monkeypatch.setattr(store, "PURGE_EVERY_N_SAVES", 1)
    store.save(new_sid(), {"signed": "in"}, TTL)  # a save that purges expired records
    assert index_records(store) == live

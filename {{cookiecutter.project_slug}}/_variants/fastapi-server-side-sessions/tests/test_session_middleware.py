"""What the FastAPI sessions middleware adds to the shared session rules: the store is only
called on its own threads (never on the event loop), it is closed when the server stops (after
the app's own lifespan), and a response names `Vary: Cookie` once."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from logto_kit.sessions.interface import install

from .test_session_interface import MemoryStore
from .tiny_session_app import SECRET_KEY, TinySessionApp


class ThreadNotingStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []
        self.closed = 0

    def call(self, action: str, sid: str) -> None:
        self.threads.append(threading.current_thread().name)
        super().call(action, sid)

    def close(self) -> None:
        self.closed += 1


def test_store_calls_run_on_the_stores_own_threads() -> None:
    store = ThreadNotingStore()
    app = TinySessionApp(store)
    _, (set_cookie,) = app.send("POST", "/set/alice", None)
    sid = set_cookie.split(";")[0].removeprefix("session=")
    assert app.send("GET", "/read", sid)[0].text == "alice"
    app.send("POST", "/sign-in", sid)  # a load, a delete and a save
    assert len(store.threads) == 5
    assert all(name.startswith("session-store") for name in store.threads), store.threads


def test_the_store_is_closed_when_the_server_stops_after_the_apps_own_lifespan() -> None:
    events: list[str] = []
    store = ThreadNotingStore()

    @asynccontextmanager
    async def own_lifespan(app: Any) -> AsyncIterator[None]:
        events.append("started")
        yield
        events.append(f"stopped, store closed {store.closed} times")

    app = FastAPI(lifespan=own_lifespan)
    install(app, store, SECRET_KEY)
    with TestClient(app):
        assert events == ["started"]
    assert events == ["started", "stopped, store closed 0 times"]
    assert store.closed == 1


def test_a_response_names_vary_cookie_once() -> None:
    page, _ = TinySessionApp(MemoryStore()).send("POST", "/set/alice", None)
    assert page.headers["vary"] == "Cookie"

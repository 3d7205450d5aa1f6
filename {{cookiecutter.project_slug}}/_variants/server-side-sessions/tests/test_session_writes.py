"""A page that only reads the session costs one store read and no write."""

from __future__ import annotations

from typing import Any

import pytest

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient


def test_reading_pages_do_not_write_the_session(
    client: PageClient, logto: FakeLogto, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, logto)
    assert client.get("/profile").status == 200  # caches userinfo: one write
    store: Any = client.session_store()
    calls: list[str] = []
    for method in ("load", "save", "delete"):
        original = getattr(store, method)

        def counted(*args: Any, _name: str = method, _original: Any = original) -> Any:
            calls.append(_name)
            return _original(*args)

        monkeypatch.setattr(store, method, counted)
    assert client.get("/profile").status == 200
    assert client.get("/").status == 200
    assert calls == ["load", "load"]

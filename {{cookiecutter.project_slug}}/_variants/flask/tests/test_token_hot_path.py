"""Flask pages stay plain sync views: a page runs a coroutine only to renew an expired ID
token, never for a valid one."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

import pytest

from logto_kit.web import signed_in
from logto_kit.web.async_bridge import run_coroutine

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient
from .token_flows import sign_in_expired


@pytest.fixture
def coroutines_run(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the views ran through `run_coroutine`, as the coroutines' reprs."""
    run: list[str] = []

    def counting(coroutine: Coroutine[Any, Any, Any]) -> Any:
        run.append(repr(coroutine))
        return run_coroutine(coroutine)

    monkeypatch.setattr(signed_in, "run_coroutine", counting)
    return run


def test_a_valid_id_token_runs_no_coroutine(
    client: PageClient, logto: FakeLogto, coroutines_run: list[str]
) -> None:
    sign_in(client, logto)
    client.get("/profile")  # fetches and caches userinfo
    coroutines_run.clear()
    for path in ("/", "/profile", "/sign-out"):
        assert client.get(path).status == 200
    assert coroutines_run == []


def test_an_expired_id_token_runs_one_renewal(
    client: PageClient, logto: FakeLogto, coroutines_run: list[str]
) -> None:
    sign_in_expired(client, logto)
    coroutines_run.clear()
    assert "Alice Example" in client.get("/").text
    [renewal] = coroutines_run
    assert "RequestUser.renewed" in renewal
    assert "Alice Example" in client.get("/").text
    assert len(coroutines_run) == 1, "the renewed ID token is valid"

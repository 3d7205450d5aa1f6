"""Every call to Logto is time-limited: a stalled token endpoint gives the 503 page quickly
(the SDK alone would wait up to 5 minutes, aiohttp's default)."""

from __future__ import annotations

import time

import pytest

from logto_kit.auth import logto_client

from .fake_logto import FakeLogto
from .flows import callback_path
from .page_client import PageClient

TOKEN_DELAY_SECONDS = 1.5


def test_a_stalled_token_endpoint_times_out(
    client: PageClient, logto: FakeLogto, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = client.get("/sign-in")  # fetches discovery, with the usual limit
    path, query = callback_path(logto.authorize(started.location))
    monkeypatch.setattr(logto_client, "IDP_TIMEOUT_SECONDS", 0.2)
    logto.token_delay = TOKEN_DELAY_SECONDS
    begun = time.perf_counter()
    page = client.get(path, query)
    elapsed = time.perf_counter() - begun
    assert page.status == 503
    assert "did not answer in time" in page.text
    assert elapsed < 1.0, f"took {elapsed:.2f} s: the time limit was not applied"
    time.sleep(TOKEN_DELAY_SECONDS - elapsed + 0.2)  # let the fake's stalled request finish

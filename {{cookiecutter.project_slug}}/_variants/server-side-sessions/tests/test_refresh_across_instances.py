"""Instances that share the session store make one token refresh between them: concurrent
requests of one session reaching two instances when its ID token expires all go on signed in
(with rotating refresh tokens, a second refresh would make Logto revoke the sign-in)."""

from __future__ import annotations

import asyncio

import pytest

from logto_kit.auth import logto_auth, token_refresh
from logto_kit.auth.token_refresh import LockWaitTimeout
from logto_kit.sessions.refresh_lock import shared_refresh_lock
from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .concurrent_pages import get_concurrently
from .fake_logto import FakeLogto
from .page_client import PageClient
from .token_flows import an_hour_later, sign_in_expired

PER_INSTANCE = 4


def test_instances_sharing_the_store_make_one_refresh(
    client: PageClient, logto: FakeLogto, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_expired(client, logto)
    cookie = client.cookie("session")
    assert cookie
    other_instance = create_app(settings)
    tokens = logto.request_count("/oidc/token")
    logto.token_delay = 0.3  # every request arrives while the first refresh is under way

    results = get_concurrently([client.app, other_instance], "/", cookie, PER_INSTANCE)

    assert [page.status for page, _ in results] == [200] * 2 * PER_INSTANCE
    signed_in = sum("Alice Example" in page.text for page, _ in results)
    assert signed_in == 2 * PER_INSTANCE, "every request goes on signed in"
    assert logto.request_count("/oidc/token") == tokens + 1
    assert logto.revoked_grants == 0

    # The stored session holds the renewal's refresh token, not the used one.
    an_hour_later(monkeypatch, logto_auth, token_refresh)  # outcomes expired too
    assert "Alice Example" in client.get("/").text
    assert logto.request_count("/oidc/token") == tokens + 2
    assert logto.revoked_grants == 0


def test_the_shared_refresh_lock_is_exclusive_bounded_and_hands_on_the_outcome(
    settings: Settings,
) -> None:
    key, other_key = "a" * 64, "b" * 64  # different lock files too (file_lock.STRIPES)

    async def scenario() -> None:
        first = shared_refresh_lock(settings)
        second = shared_refresh_lock(settings, wait_seconds=0.2)
        assert first is not None and second is not None
        async with first.hold(key) as slot:
            assert await slot.outcome() is None
            with pytest.raises(LockWaitTimeout):
                async with second.hold(key):
                    pass  # pragma: no cover
            async with second.hold(other_key) as other:  # other sessions are not held up
                assert await other.outcome() is None
            await slot.publish('{"an": "outcome"}', 60)
        async with second.hold(key) as slot:  # free again, with the outcome
            assert await slot.outcome() == '{"an": "outcome"}'
            await slot.publish("short-lived", 0.05)
        await asyncio.sleep(1.1)  # SQL expiry is in whole seconds
        async with first.hold(key) as slot:
            assert await slot.outcome() is None

    asyncio.run(scenario())

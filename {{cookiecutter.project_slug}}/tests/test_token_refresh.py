"""The refresh coordinator on its own (one process, asyncio locks): one refresh per refresh
token, its outcome handed to the requests that waited, bounded memory."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from logto_kit.auth import token_refresh
from logto_kit.auth.token_refresh import (
    RecentOutcomes,
    RefreshOutcome,
    TokenRefresher,
)


class TaskLocks:
    """A lock per key for tasks of one event loop."""

    def __init__(self) -> None:
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def __len__(self) -> int:
        return len(self._locks)

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with self._locks[key]:
            yield


class CountingRefresh:
    """Comes to `outcome` (made when it ends, as a real refresh's) after `seconds`."""

    def __init__(self, outcome: RefreshOutcome, seconds: float = 0.05) -> None:
        self.outcome, self.seconds, self.calls = outcome, seconds, 0

    async def __call__(self) -> RefreshOutcome:
        self.calls += 1
        await asyncio.sleep(self.seconds)
        return replace(self.outcome, at=time.time())


RENEWED_TOKENS = {"idToken": "new", "refreshToken": "rotated"}


def renewed() -> RefreshOutcome:
    """A renewal made now (an outcome is served for a while after it is made, so never
    build one at import time: the suite may run longer than that)."""
    return RefreshOutcome("renewed", dict(RENEWED_TOKENS))


def test_waiters_take_the_outcome_of_the_one_refresh() -> None:
    async def scenario() -> None:
        refresher, refresh = TokenRefresher(TaskLocks(), None), CountingRefresh(renewed())
        outcomes = await asyncio.gather(*(refresher.refresh_once("rt", refresh) for _ in range(5)))
        assert [outcome.tokens for outcome in outcomes] == [RENEWED_TOKENS] * 5
        assert refresh.calls == 1
        late = await refresher.refresh_once("rt", refresh)
        assert late.tokens == RENEWED_TOKENS
        assert refresh.calls == 1
        await refresher.refresh_once("another session's token", refresh)
        assert refresh.calls == 2

    asyncio.run(scenario())


def test_a_cancelled_request_still_completes_its_refresh() -> None:
    async def scenario() -> None:
        refresher, refresh = TokenRefresher(TaskLocks(), None), CountingRefresh(renewed())
        first = asyncio.ensure_future(refresher.refresh_once("rt", refresh))
        await asyncio.sleep(0.01)  # the refresh is under way
        first.cancel()  # its client went away
        assert (await refresher.refresh_once("rt", refresh)).tokens == RENEWED_TOKENS
        assert refresh.calls == 1

    asyncio.run(scenario())


def test_unreachable_goes_to_the_waiters_only() -> None:
    async def scenario() -> None:
        unreachable = RefreshOutcome("unreachable", detail="timed out")
        refresher, refresh = TokenRefresher(TaskLocks(), None), CountingRefresh(unreachable)
        outcomes = await asyncio.gather(*(refresher.refresh_once("rt", refresh) for _ in range(3)))
        assert [outcome.kind for outcome in outcomes] == ["unreachable"] * 3
        assert refresh.calls == 1
        await refresher.refresh_once("rt", refresh)  # a later request tries again
        assert refresh.calls == 2

    asyncio.run(scenario())


class Clock:
    """The refresher's clock, moved by the test (no waiting on the real one)."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(token_refresh, "time", fake)
    return fake


def renewal_made_at(clock: Clock, refresh_token: str, fresh_for: float) -> RefreshOutcome:
    tokens = {"idToken": "new", "refreshToken": refresh_token}
    return RefreshOutcome("renewed", tokens, at=clock.now, fresh_until=clock.now + fresh_for)


def test_a_stale_renewal_with_the_same_refresh_token_renews_again(clock: Clock) -> None:
    """Logto does not always rotate refresh tokens: once the renewed ID token has expired
    too, the same refresh token renews again instead of handing out the expired token."""

    async def scenario() -> None:
        calls = []

        async def refresh() -> RefreshOutcome:
            calls.append(clock.now)
            return renewal_made_at(clock, "rt", fresh_for=30)

        refresher = TokenRefresher(TaskLocks(), None)
        await refresher.refresh_once("rt", refresh)
        clock.now += 10
        await refresher.refresh_once("rt", refresh)  # still fresh: the same renewal
        assert len(calls) == 1
        clock.now += 30  # its ID token has expired too
        await refresher.refresh_once("rt", refresh)
        assert len(calls) == 2

    asyncio.run(scenario())


def test_a_stale_renewal_that_rotated_the_token_is_still_handed_out(clock: Clock) -> None:
    """With a rotated token, the old one must never be used again: the late request gets the
    outcome (and renews with its newer refresh token itself)."""

    async def scenario() -> None:
        calls = []

        async def refresh() -> RefreshOutcome:
            calls.append(clock.now)
            return renewal_made_at(clock, "rt2", fresh_for=30)

        refresher = TokenRefresher(TaskLocks(), None)
        await refresher.refresh_once("rt", refresh)
        clock.now += 40  # its ID token has expired too
        late = await refresher.refresh_once("rt", refresh)
        assert (len(calls), late.tokens["refreshToken"]) == (1, "rt2")

    asyncio.run(scenario())


def test_recent_outcomes_are_bounded() -> None:
    recent = RecentOutcomes(max_entries=3)
    outcome = renewed()
    for number in range(10):
        recent.put(f"key{number}", outcome)
    assert len(recent) == 3
    assert recent.get("key9", since=0) == outcome
    assert recent.get("key0", since=0) is None


def test_outcomes_survive_json_and_refuse_garbage() -> None:
    outcome = renewed()
    assert RefreshOutcome.from_json(outcome.to_json()) == outcome
    fresh = replace(outcome, fresh_until=outcome.at + 60)
    assert RefreshOutcome.from_json(fresh.to_json()) == fresh
    for text in (None, "", "{", "[]", '{"kind": "other"}', '{"kind": "renewed"}'):
        assert RefreshOutcome.from_json(text) is None


def holds(target: str) -> token_refresh.Covers:
    """What a request for `target`'s access token needs of an outcome (as logto_auth's)."""

    def covers(outcome: RefreshOutcome) -> bool:
        if outcome.kind == "denied":
            return outcome.target == target
        return target in outcome.tokens.get("accessTokenMap", "")

    return covers


def test_a_renewal_without_the_needed_token_is_not_taken_unless_it_rotated() -> None:
    async def scenario() -> None:
        refresher = TokenRefresher(TaskLocks(), None)
        unrotated = RefreshOutcome("renewed", {"idToken": "new", "refreshToken": "rt"})
        ids = CountingRefresh(unrotated)
        await refresher.refresh_once("rt", ids)
        api = CountingRefresh(
            replace(unrotated, tokens={**unrotated.tokens, "accessTokenMap": "api"})
        )
        assert (
            "api"
            in (await refresher.refresh_once("rt", api, holds("api"))).tokens["accessTokenMap"]
        )
        assert (ids.calls, api.calls) == (1, 1)  # the ID renewal lacked it: refreshed again
        # A renewal that rotated the refresh token is handed out even without the API token:
        # the request must renew again with the new token, never with the used one.
        rotating = CountingRefresh(renewed())
        await refresher.refresh_once("rt2", rotating)
        lacking = await refresher.refresh_once("rt2", api, holds("api"))
        assert lacking.tokens == RENEWED_TOKENS and api.calls == 1

    asyncio.run(scenario())


def test_a_denied_token_is_refused_to_its_own_requests_only() -> None:
    async def scenario() -> None:
        refresher = TokenRefresher(TaskLocks(), None)
        denied = RefreshOutcome("denied", detail="not a member", target="org-b")
        refuse = CountingRefresh(denied)
        outcomes = await asyncio.gather(
            *(refresher.refresh_once("rt", refuse, holds("org-b")) for _ in range(3))
        )
        assert [outcome.kind for outcome in outcomes] == ["denied"] * 3 and refuse.calls == 1
        # An ID-token renewal or another organization's token never takes that refusal.
        ids = CountingRefresh(renewed())
        assert (await refresher.refresh_once("rt", ids)).kind == "renewed"
        assert ids.calls == 1

    asyncio.run(scenario())


def test_denied_outcomes_survive_json_with_their_target() -> None:
    denied = RefreshOutcome("denied", detail="not a member", target="urn:logto:organization:b")
    assert RefreshOutcome.from_json(denied.to_json()) == denied
    assert denied.ttl_seconds == token_refresh.UNREACHABLE_TTL_SECONDS

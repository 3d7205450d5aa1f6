"""One refresh of an expired sign-in, however many requests of the session ask for it at once.

Logto may rotate refresh tokens (for a Traditional app it does once 70% of the refresh token's
lifetime has passed; OIDC providers configured to rotate do it every time): a rotated one works
once, and presenting it again counts as theft and revokes the whole grant (every token of that
sign-in). Requests of one session that find its ID token expired at the same moment (several
tabs, a page and its fetches) must therefore make ONE refresh request between them, and all go
on with its result:

* requests are keyed by a hash of the refresh token they hold: exactly those that would clash;
* in a process, a lock per key (`KeyedLocks`: the web layer's, for its threads or tasks) lets
  one request refresh while the others wait; its outcome (new tokens, refused, or Logto
  unreachable) is kept for a short while (`RecentOutcomes`) and the waiters take it instead of
  refreshing;
* across processes and instances that share a server-side session store, the store's own lock
  and an outcome record there (`SharedRefreshLock`, in refresh_lock.py) do the same. Signed-cookie
  sessions share no store: there each process is covered, not several.

Waiters take the outcome rather than re-reading the session: a session is saved whole, so a
request that read it before the refresh may still save the old tokens afterwards; the next
request with that old refresh token then finds the outcome too instead of reusing the token.

A renewal is served only while its ID token is fresh (`fresh_until`): when Logto did not
rotate the refresh token, a later expiry is renewed anew with the same token instead of being
handed the same, by then expired, ID token until the outcome is forgotten. A stale renewal
whose refresh token was rotated is still handed out: the request takes its newer refresh
token and renews with that (`LogtoAuth`), never with the used one.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Literal, Protocol

LOCK_WAIT_SECONDS = 30.0  # a refresh makes at most a few calls of 10 s each (logto_client.py)
LEASE_SECONDS = 60.0  # a shared lock whose holder died ends by itself after this
POLL_SECONDS = 0.02  # how often a shared lock is tried again while another instance holds it
OUTCOME_TTL_SECONDS = 120.0  # how long new tokens (or a refusal) are handed to late requests
UNREACHABLE_TTL_SECONDS = 5.0  # "Logto unreachable" is only for the requests that waited on it
RECENT_OUTCOMES_MAX = 2048  # per process; the oldest go first

#: "denied": Logto refused the token asked for (an organization the user is not a member of)
#: but not the refresh token, which stays usable: only that request's need is refused.
OutcomeKind = Literal["renewed", "refused", "unreachable", "denied"]
KINDS = ("renewed", "refused", "unreachable", "denied")
#: Outcomes served only to the requests that waited on that attempt.
SHORT_LIVED_KINDS = ("unreachable", "denied")
#: Whether a renewal gave what a request needs (an API's access token, say); None: any does.
Covers = Callable[["RefreshOutcome"], bool] | None


class LockWaitTimeout(TimeoutError):
    """Another request held the refresh lock for longer than LOCK_WAIT_SECONDS."""


class RefreshUnavailable(Exception):
    """The refresh could not be coordinated (lock wait timed out, the store failed): the
    session is kept, and the user can try again."""


def refresh_key(refresh_token: str) -> str:
    """What requests that would refresh together are keyed by: 64 hex digits, no secret."""
    return hashlib.sha256(refresh_token.encode()).hexdigest()


@dataclass(frozen=True)
class RefreshOutcome:
    """What one refresh came to; `tokens` are the SDK's stored values after a renewal."""

    kind: OutcomeKind
    tokens: dict[str, str] = field(default_factory=dict)
    detail: str = ""  # why it was refused or Logto unreachable, for logs
    at: float = field(default_factory=lambda: time.time())  # the module's clock, when made
    fresh_until: float | None = None  # a renewal: when its ID token counts as expired
    target: str = ""  # the access token asked for (an API, an organization; "": userinfo)

    @property
    def ttl_seconds(self) -> float:
        return UNREACHABLE_TTL_SECONDS if self.kind in SHORT_LIVED_KINDS else OUTCOME_TTL_SECONDS

    def expired(self, now: float) -> bool:
        return self.at + self.ttl_seconds <= now

    def went_stale(self, now: float) -> bool:
        """A renewal whose ID token was fresh when it was made and has expired since (one
        that came short-lived is not renewed again and again)."""
        return (
            self.kind == "renewed"
            and self.fresh_until is not None
            and self.at < self.fresh_until <= now
        )

    def rotated(self, refresh_token: str) -> bool:
        """Whether this renewal replaced `refresh_token` with a new one."""
        return self.tokens.get("refreshToken", refresh_token) != refresh_token

    def stale_for(self, refresh_token: str, now: float) -> bool:
        """A renewal that went stale, made with `refresh_token` and leaving it unrotated:
        refreshing with that token again is safe, and the only way to renew."""
        return self.went_stale(now) and not self.rotated(refresh_token)

    def serves_need(self, refresh_token: str, now: float, covers: Covers) -> bool:
        """Whether a request holding `refresh_token` takes this outcome rather than refreshing.
        A renewal that lacks what it `covers` is still taken when it rotated the token (the
        request renews again with the new one: never with the used one)."""
        if self.stale_for(refresh_token, now):
            return False
        if self.kind == "denied":  # only for the token it was about
            return covers is not None and covers(self)
        if covers is None or self.kind != "renewed" or covers(self):
            return True
        return self.rotated(refresh_token)

    def serves(self, since: float) -> bool:
        """Whether a request that began waiting at `since` takes this outcome. "Unreachable"
        goes only to the requests that waited on that attempt: later ones try again."""
        return self.kind not in SHORT_LIVED_KINDS or self.at >= since

    def to_json(self) -> str:
        data = {
            "kind": self.kind,
            "target": self.target,
            "tokens": self.tokens,
            "detail": self.detail,
            "at": self.at,
            "fresh_until": self.fresh_until,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> RefreshOutcome | None:
        """The outcome `text` holds, or None for nothing or anything malformed."""
        try:
            data = json.loads(text or "")
            kind, tokens, detail, at = data["kind"], data["tokens"], data["detail"], data["at"]
        except (ValueError, TypeError, KeyError):
            return None
        if kind not in KINDS or not isinstance(tokens, dict):
            return None
        if not all(isinstance(v, str) for v in tokens.values()) or not isinstance(at, int | float):
            return None
        fresh_until = data.get("fresh_until")
        if not isinstance(fresh_until, int | float):
            fresh_until = None
        target = data.get("target")
        return cls(
            kind,
            dict(tokens),
            str(detail),
            float(at),
            fresh_until,
            target=target if isinstance(target, str) else "",
        )


class KeyedLocks(Protocol):
    """A process's lock per key (keyed_locks.py, one per web framework)."""

    def __len__(self) -> int: ...  # how many keys are held or waited for now

    def hold(self, key: str) -> AbstractAsyncContextManager[None]:
        """Hold `key`'s lock; raises `LockWaitTimeout` when it is not free in time."""
        ...


class SharedSlot(Protocol):
    """A held shared lock: where its key's outcome is read and published."""

    async def outcome(self) -> str | None: ...  # raises RefreshUnavailable when the store fails
    async def publish(self, outcome: str, ttl_seconds: float) -> None: ...  # logs failures


class SharedRefreshLock(Protocol):
    """The lock and outcome record that instances sharing a session store use (refresh_lock.py,
    one per session backend)."""

    def hold(self, key: str) -> AbstractAsyncContextManager[SharedSlot]:
        """Hold `key`'s lock across instances; raises `LockWaitTimeout` when it is not free in
        time, `RefreshUnavailable` when the store fails."""
        ...


class RecentOutcomes:
    """This process's recent outcomes by key: each for its TTL, at most `max_entries`."""

    def __init__(self, max_entries: int = RECENT_OUTCOMES_MAX) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, RefreshOutcome] = OrderedDict()
        self._guard = threading.Lock()  # request threads may share this

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str, since: float) -> RefreshOutcome | None:
        now = time.time()
        with self._guard:
            while self._entries and next(iter(self._entries.values())).expired(now):
                self._entries.popitem(last=False)
            outcome = self._entries.get(key)
        if outcome is None or outcome.expired(now) or not outcome.serves(since):
            return None
        return outcome

    def put(self, key: str, outcome: RefreshOutcome) -> None:
        with self._guard:
            self._entries.pop(key, None)
            self._entries[key] = outcome
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class TokenRefresher:
    """Runs a session's refresh once for all its concurrent requests (see the module doc)."""

    def __init__(self, locks: KeyedLocks, shared: SharedRefreshLock | None) -> None:
        self.locks, self.shared = locks, shared
        self.recent = RecentOutcomes()

    async def refresh_once(
        self,
        refresh_token: str,
        refresh: Callable[[], Awaitable[RefreshOutcome]],
        covers: Covers = None,
    ) -> RefreshOutcome:
        """The outcome of `refresh()`, or of the refresh another request (or instance) just
        made with the same refresh token, when it `covers` this request's need (an ID token
        renewal covers any; an API's access token needs one made for that API). Raises
        `RefreshUnavailable` when it cannot tell.

        It runs as a task of its own: a request cancelled meanwhile (its client went away)
        does not cut the refresh short, which would lose the new tokens after Logto has taken
        the old refresh token, nor release the lock before the outcome is kept.
        """
        task = asyncio.ensure_future(self._refresh_once(refresh_token, refresh, covers))
        task.add_done_callback(_retrieve_exception)  # when no one awaits it any more
        return await asyncio.shield(task)

    async def _refresh_once(
        self,
        refresh_token: str,
        refresh: Callable[[], Awaitable[RefreshOutcome]],
        covers: Covers,
    ) -> RefreshOutcome:
        key, since = refresh_key(refresh_token), time.time()
        try:
            async with self.locks.hold(key):
                outcome = self.recent.get(key, since)
                if outcome is None or not outcome.serves_need(refresh_token, time.time(), covers):
                    outcome = await self._refresh_shared(key, refresh_token, since, refresh, covers)
                    self.recent.put(key, outcome)
                return outcome
        except LockWaitTimeout as error:
            raise RefreshUnavailable(f"token refresh lock: {error}") from error

    async def _refresh_shared(
        self,
        key: str,
        refresh_token: str,
        since: float,
        refresh: Callable[[], Awaitable[RefreshOutcome]],
        covers: Covers,
    ) -> RefreshOutcome:
        if self.shared is None:
            return await refresh()
        async with self.shared.hold(key) as slot:
            found = RefreshOutcome.from_json(await slot.outcome())
            now = time.time()
            if (
                found is not None
                and not found.expired(now)
                and found.serves(since)
                and found.serves_need(refresh_token, now, covers)
            ):
                return found
            outcome = await refresh()
            await slot.publish(outcome.to_json(), outcome.ttl_seconds)
            return outcome


def _retrieve_exception(task: asyncio.Future[RefreshOutcome]) -> None:
    if not task.cancelled():
        task.exception()

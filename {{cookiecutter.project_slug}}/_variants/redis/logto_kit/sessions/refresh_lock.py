"""Token refreshes coordinated across every instance that shares the Redis server.

See token_refresh.py. `logto-refresh-lock:<key>` is the lock, redis-py's own (`SET NX PX` with
a random token): it ends by itself if its holder dies (after LEASE_SECONDS) and only its
holder releases it. `logto-refresh:<key>` holds the outcome for the others, with a TTL.
A refresh is rare (once per ID token lifetime and session), so each makes its own connection:
it works whichever event loop (or thread) the request runs on.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from ..auth.token_refresh import (
    LEASE_SECONDS,
    LOCK_WAIT_SECONDS,
    POLL_SECONDS,
    LockWaitTimeout,
    RefreshUnavailable,
    SharedRefreshLock,
)
from ..masking import masked
from ..settings import STORE_COMMAND_TIMEOUT_SECONDS, STORE_CONNECT_TIMEOUT_SECONDS, Settings

logger = logging.getLogger(__name__)

LOCK_PREFIX = "logto-refresh-lock:"
OUTCOME_PREFIX = "logto-refresh:"


class RedisSlot:
    def __init__(self, client: Redis, key: str, address: str) -> None:
        self._client, self._key, self._address = client, OUTCOME_PREFIX + key, address

    async def outcome(self) -> str | None:
        try:
            raw = await self._client.get(self._key)
        except (RedisError, OSError) as error:
            raise RefreshUnavailable(f"Redis at {self._address}: {error}") from error
        return raw.decode() if isinstance(raw, bytes) else None

    async def publish(self, outcome: str, ttl_seconds: float) -> None:
        try:
            await self._client.set(self._key, outcome, px=max(1, int(ttl_seconds * 1000)))
        except (RedisError, OSError) as error:
            logger.warning("Redis at %s: cannot publish a token refresh: %s", self._address, error)


class RedisRefreshLock:
    def __init__(self, url: str, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.url, self.address, self.wait_seconds = url, masked(url), wait_seconds

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[RedisSlot]:
        client = Redis.from_url(
            self.url,
            socket_connect_timeout=STORE_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=STORE_COMMAND_TIMEOUT_SECONDS,
        )
        lock = client.lock(
            LOCK_PREFIX + key,
            timeout=LEASE_SECONDS,
            sleep=POLL_SECONDS,
            blocking_timeout=self.wait_seconds,
            thread_local=False,  # one request's coroutine takes and releases it
        )
        try:
            try:
                acquired = await lock.acquire()
            except (RedisError, OSError) as error:
                raise RefreshUnavailable(f"Redis at {self.address}: {error}") from error
            if not acquired:
                raise LockWaitTimeout(f"held by another instance for {self.wait_seconds:g} s")
            try:
                yield RedisSlot(client, key, self.address)
            finally:
                try:
                    await lock.release()
                except (LockError, RedisError, OSError) as error:  # it ends with its lease
                    logger.warning("Redis at %s: cannot release %s: %s", self.address, key, error)
        finally:
            await client.aclose()


def shared_refresh_lock(
    settings: Settings, wait_seconds: float = LOCK_WAIT_SECONDS
) -> SharedRefreshLock | None:
    return RedisRefreshLock(settings.redis_url, wait_seconds)

"""Token refreshes coordinated across every instance that shares the Redis server.

See token_refresh.py. `logto-refresh-lock:<key>` is the lock: `SET NX PX` with a random value, so
it ends by itself if its holder dies (after LEASE_SECONDS) and only its holder releases it (one
compare-and-delete script). `logto-refresh:<key>` holds the outcome for the others, with a TTL.
A refresh is rare (once per ID token lifetime and session), so each makes its own connection:
the request's event loop may be any (Flask runs one per thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..auth.token_refresh import (
    LEASE_SECONDS,
    LOCK_WAIT_SECONDS,
    POLL_SECONDS,
    LockWaitTimeout,
    RefreshUnavailable,
    SharedRefreshLock,
)
from ..settings import STORE_CONNECT_TIMEOUT_SECONDS, Settings
from .store_check import masked

logger = logging.getLogger(__name__)

LOCK_PREFIX = "logto-refresh-lock:"
OUTCOME_PREFIX = "logto-refresh:"
COMMAND_TIMEOUT_SECONDS = 3
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


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
            socket_timeout=COMMAND_TIMEOUT_SECONDS,
        )
        try:
            lock_key, token = LOCK_PREFIX + key, secrets.token_urlsafe(16)
            await self._acquire(client, lock_key, token)
            try:
                yield RedisSlot(client, key, self.address)
            finally:
                try:
                    await client.eval(RELEASE_SCRIPT, 1, lock_key, token)
                except (RedisError, OSError) as error:  # it ends with its lease
                    logger.warning("Redis at %s: cannot release %s: %s", self.address, key, error)
        finally:
            await client.aclose()

    async def _acquire(self, client: Redis, lock_key: str, token: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        lease_ms = int(LEASE_SECONDS * 1000)
        while True:
            try:
                if await client.set(lock_key, token, nx=True, px=lease_ms):
                    return
            except (RedisError, OSError) as error:
                raise RefreshUnavailable(f"Redis at {self.address}: {error}") from error
            if loop.time() >= deadline:
                raise LockWaitTimeout(f"held by another instance for {self.wait_seconds:g} s")
            await asyncio.sleep(POLL_SECONDS)


def shared_refresh_lock(
    settings: Settings, wait_seconds: float = LOCK_WAIT_SECONDS
) -> SharedRefreshLock | None:
    assert settings.redis_url is not None
    return RedisRefreshLock(settings.redis_url, wait_seconds)

"""Sessions in Redis (REDIS_URL), shared by every app instance that uses the same server.

Each session is one key, `session:<id>`, holding the session as JSON with an expiry (`SET ...
EX`), so Redis forgets abandoned sessions by itself. The asyncio client is bound to the event
loop it was made in, and hypercorn serves in a loop of its own: the client is made on first
use in the running loop (again if the loop changed) and closed when serving stops.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from quart import Quart
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ..settings import STORE_CONNECT_TIMEOUT_SECONDS, Settings
from .server_side import check_now, install, regenerate_session_id
from .store_check import masked, unreachable

__all__ = ["RedisStore", "configure_sessions", "regenerate_session_id"]

KEY_PREFIX = "session:"
COMMAND_TIMEOUT_SECONDS = 3  # a stuck Redis fails the request instead of hanging it


class RedisStore:
    def __init__(self, url: str) -> None:
        self.url, self.address = url, masked(url)
        self._client: Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _redis(self) -> Redis:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = Redis.from_url(
                self.url,
                socket_connect_timeout=STORE_CONNECT_TIMEOUT_SECONDS,
                socket_timeout=COMMAND_TIMEOUT_SECONDS,
            )
            self._loop = loop
        return self._client

    async def load(self, sid: str) -> dict[str, Any] | None:
        raw = await self._redis().get(KEY_PREFIX + sid)
        return None if raw is None else dict(json.loads(raw))

    async def save(self, sid: str, data: dict[str, Any], ttl_seconds: int) -> None:
        value = json.dumps(data, separators=(",", ":"))
        await self._redis().set(KEY_PREFIX + sid, value, ex=ttl_seconds)

    async def delete(self, sid: str) -> None:
        await self._redis().delete(KEY_PREFIX + sid)

    async def check(self) -> None:
        await self._redis().ping()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()


def configure_sessions(app: Quart, settings: Settings) -> None:
    """Install the interface; check the store is reachable before serving."""
    assert settings.redis_url is not None
    store = RedisStore(settings.redis_url)
    try:
        check_now(store)
    except (RedisError, OSError, ValueError) as error:
        raise unreachable(
            "Redis",
            "REDIS_URL",
            settings.redis_url,
            error,
            "start it (redis-server) or fix REDIS_URL",
        ) from error
    install(app, store)

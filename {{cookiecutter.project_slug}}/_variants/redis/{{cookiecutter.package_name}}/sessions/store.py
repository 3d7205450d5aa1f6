"""Sessions in Redis (REDIS_URL), shared by every app instance that uses the same server.

Each session is one key, `session:<id>`, holding the session as JSON with an expiry (`SET ...
EX`), so Redis forgets abandoned sessions by itself. One client (a thread-safe connection
pool) per process; a stuck Redis fails the request after STORE_COMMAND_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import json
from typing import Any

from redis import Redis

from ..settings import STORE_COMMAND_TIMEOUT_SECONDS, STORE_CONNECT_TIMEOUT_SECONDS, Settings
from .server_side import SessionStore
from .store_check import check_at_start, masked, unreachable

KEY_PREFIX = "session:"


class RedisStore(SessionStore):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.address = masked(url)
        self.client = Redis.from_url(
            url,
            socket_connect_timeout=STORE_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=STORE_COMMAND_TIMEOUT_SECONDS,
        )

    def load(self, sid: str) -> dict[str, Any] | None:
        raw = self.client.get(KEY_PREFIX + sid)
        return None if raw is None else dict(json.loads(raw))

    def _write(self, sid: str, data: dict[str, Any], ttl_seconds: int, purge: bool) -> None:
        value = json.dumps(data, separators=(",", ":"))
        self.client.set(KEY_PREFIX + sid, value, ex=ttl_seconds)  # expired keys: Redis's job

    def delete(self, sid: str) -> None:
        self.client.delete(KEY_PREFIX + sid)

    def prepare(self) -> None:
        self.client.ping()

    def close(self) -> None:
        self.client.close()


def open_store(settings: Settings) -> RedisStore:
    """The store; if Redis cannot be reached yet, one line names REDIS_URL (store_check.py)."""
    url = settings.redis_url
    assert url is not None
    store = RedisStore(url)
    fix = "start it (redis-server) or fix REDIS_URL"
    check_at_start(store, lambda error: unreachable("Redis", "REDIS_URL", url, error, fix))
    return store

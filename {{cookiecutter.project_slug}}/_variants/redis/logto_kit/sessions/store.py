"""Sessions in Redis (REDIS_URL), shared by every app instance that uses the same server.

Each session is one key, `session:<id>`, holding the session as JSON with an expiry (`SET ...
EX`), so Redis forgets abandoned sessions by itself. One client (a thread-safe connection
pool) per process; a stuck Redis fails the request after STORE_COMMAND_TIMEOUT_SECONDS.

Back-channel logout adds, per Logto session and per user, a sorted set of the session ids
signed in through it (`logto-sid:<sid>`, `logto-sub:<sub>`; score: when the session expires,
so expired members are trimmed on each add, and the key itself expires with its last
session), and one key per logout token used (`logout-token:<jti>`, `SET NX` with an expiry).
"""

from __future__ import annotations

import json
import time
from typing import Any, cast

from redis import Redis

from ..masking import masked
from ..settings import STORE_COMMAND_TIMEOUT_SECONDS, STORE_CONNECT_TIMEOUT_SECONDS
from .server_side import LogtoSession, SessionStore
from .store_check import check_at_start, unreachable
from .store_settings import StoreSettings

KEY_PREFIX = "session:"
LOGTO_SID_PREFIX = "logto-sid:"
LOGTO_SUB_PREFIX = "logto-sub:"
LOGOUT_TOKEN_PREFIX = "logout-token:"


class RedisStore(SessionStore):
    fix = "start it (redis-server) or set REDIS_URL"

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

    def bind(self, sid: str, logto_session: LogtoSession, ttl_seconds: int) -> None:
        now = int(time.time())
        keys = [LOGTO_SUB_PREFIX + logto_session.sub]
        if logto_session.sid is not None:
            keys.append(LOGTO_SID_PREFIX + logto_session.sid)
        with self.client.pipeline() as pipeline:  # MULTI/EXEC: all or nothing
            for key in keys:
                pipeline.zremrangebyscore(key, "-inf", now)
                pipeline.zadd(key, {sid: now + ttl_seconds})
                pipeline.expire(key, ttl_seconds)  # the newest member expires last
            pipeline.execute()

    def end_logto_session(self, logto_sid: str | None, sub: str | None) -> int:
        if logto_sid is not None:
            key = LOGTO_SID_PREFIX + logto_sid
        elif sub is not None:
            key = LOGTO_SUB_PREFIX + sub
        else:
            return 0
        members = cast(list[bytes], self.client.zrange(key, 0, -1))  # the sync client's answer
        sids = [member.decode() for member in members]
        with self.client.pipeline() as pipeline:
            for sid in sids:
                pipeline.delete(KEY_PREFIX + sid)
            pipeline.delete(key)
            pipeline.execute()
        return len(sids)

    def remember_logout_token(self, jti: str, until: int) -> bool:
        seconds = max(1, until - int(time.time()))
        return bool(self.client.set(LOGOUT_TOKEN_PREFIX + jti, "1", nx=True, ex=seconds))

    def forget_logout_token(self, jti: str) -> None:
        self.client.delete(LOGOUT_TOKEN_PREFIX + jti)

    def prepare(self) -> None:
        self.ping()  # nothing to make: Redis needs no table or folder

    def ping(self) -> None:
        self.client.ping()

    def unreachable(self, error: BaseException) -> str:
        return unreachable("Redis", "REDIS_URL", self.address, error)

    def close(self) -> None:
        self.client.close()


def new_store(settings: StoreSettings) -> RedisStore:
    return RedisStore(settings.redis_url)


def open_store(settings: StoreSettings) -> RedisStore:
    """The store; if Redis cannot be reached yet, one line names REDIS_URL (store_check.py)."""
    store = new_store(settings)
    check_at_start(store)
    return store

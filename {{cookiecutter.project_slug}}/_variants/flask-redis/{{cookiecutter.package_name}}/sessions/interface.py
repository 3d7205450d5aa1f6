"""Sessions in Redis (REDIS_URL), shared by every app instance that uses the same server."""

from __future__ import annotations

from flask import Flask
from redis import Redis, RedisError

from ..settings import STORE_CONNECT_TIMEOUT_SECONDS, Settings
from .server_side import install_flask_session, regenerate_session_id
from .store_check import unreachable

__all__ = ["configure_sessions", "regenerate_session_id"]


def configure_sessions(app: Flask, settings: Settings) -> None:
    assert settings.redis_url is not None
    client = Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=STORE_CONNECT_TIMEOUT_SECONDS,
        socket_timeout=STORE_CONNECT_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except RedisError as error:
        fix = "start it (redis-server) or fix REDIS_URL"
        raise unreachable("Redis", "REDIS_URL", settings.redis_url, error, fix) from error
    install_flask_session(app, SESSION_TYPE="redis", SESSION_REDIS=client)

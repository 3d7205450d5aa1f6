"""The session store under test: a real Redis server, started once for the test session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis

from .servers import TEST_REDIS_URL, given_server, running_redis

StoreProbe = Callable[[str], bool]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis started for this run, or the one at $TEST_REDIS_URL (CI's service container)."""
    if url := given_server(TEST_REDIS_URL, ("redis",)):
        yield url
        return
    with running_redis(Path(tmp_path_factory.mktemp("redis"))) as url:
        yield url


@pytest.fixture
def store_settings(redis_url: str) -> dict[str, object]:
    Redis.from_url(redis_url).flushdb()
    return {"redis_url": redis_url}


@pytest.fixture
def store_probe(redis_url: str) -> StoreProbe:
    """Whether the store holds a record for a session id."""
    client = Redis.from_url(redis_url)
    return lambda sid: bool(client.exists(f"session:{sid}"))

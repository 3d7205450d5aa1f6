"""The session store under test: a real Redis server, started once for the test session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis

from .fault_proxy import fault_proxy
from .redis_server import TEST_REDIS_URL, running_redis
from .servers import given_server
from .store_outages import Fault, Outage

StoreProbe = Callable[[str], bool]
StoreRecords = Callable[[], list[tuple[str, float]]]


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
def reachable_store_env(redis_url: str) -> dict[str, str]:
    """`.env` values of a store that answers: the tests' Redis."""
    return {"REDIS_URL": redis_url}


@pytest.fixture
def store_probe(redis_url: str) -> StoreProbe:
    """Whether the store holds a record for a session id."""
    client = Redis.from_url(redis_url)
    return lambda sid: bool(client.exists(f"session:{sid}"))


@pytest.fixture
def store_records(redis_url: str) -> StoreRecords:
    """The id of every session record in the store (the database was emptied for this test),
    each with the seconds it has left to live."""
    client = Redis.from_url(redis_url)

    def records() -> list[tuple[str, float]]:
        keys = [key.decode() for key in client.scan_iter(match="session:*")]
        return [(key.removeprefix("session:"), client.pttl(key) / 1000) for key in keys]

    return records


@pytest.fixture
def outage(redis_url: str) -> Iterator[Outage]:
    """The same Redis behind a proxy that can drop or hang every connection."""
    with fault_proxy(redis_url) as proxy:
        yield Outage(
            {"redis_url": proxy.url},
            {
                "hung": Fault(proxy.hang, proxy.restore, keeps_sessions=True),
                "stopped": Fault(proxy.refuse, proxy.restore, keeps_sessions=True),
            },
        )


def store_env(directory: Path) -> dict[str, str]:
    """Well-formed `.env` values for this store (nothing listens at that port)."""
    return {"REDIS_URL": "redis://127.0.0.1:9/0"}

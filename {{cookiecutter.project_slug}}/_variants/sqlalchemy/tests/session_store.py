"""The session store under test: SQLite in a temp file, and a real PostgreSQL server."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from .fault_proxy import fault_proxy
from .postgres_server import TEST_POSTGRES_URL, running_postgres
from .servers import given_server
from .store_outages import Fault, Outage

StoreProbe = Callable[[str], bool]
StoreRecords = Callable[[], list[tuple[str, float]]]


@contextlib.contextmanager
def new_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server at ``server_url``, dropped afterwards."""
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"test_sessions_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:  # FORCE: the apps' pools may still be open
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL started for this run, or a new database on the server at
    $TEST_POSTGRES_URL (CI's service container; PostgreSQL 13+)."""
    if server := given_server(TEST_POSTGRES_URL, ("postgresql", "postgres", "postgresql+psycopg")):
        with new_database(server) as url:
            yield url
        return
    with running_postgres(Path(tmp_path_factory.mktemp("postgres"))) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        if inspect(connection).has_table("sessions"):
            connection.execute(text("DELETE FROM sessions"))
    engine.dispose()
    return url


@pytest.fixture
def store_settings(database_url: str) -> dict[str, object]:
    return {"database_url": database_url}


@pytest.fixture
def reachable_store_env(tmp_path: Path) -> dict[str, str]:
    """`.env` values of a store that answers: a SQLite file this user may create."""
    return store_env(tmp_path)


@pytest.fixture
def store_probe(database_url: str) -> Iterator[StoreProbe]:
    """Whether the store holds a record for a session id."""
    engine = create_engine(database_url)

    def has(sid: str) -> bool:
        with engine.connect() as connection:
            query = text("SELECT 1 FROM sessions WHERE id = :sid")
            return connection.execute(query, {"sid": sid}).first() is not None

    yield has
    engine.dispose()


@pytest.fixture
def store_records(database_url: str) -> Iterator[StoreRecords]:
    """The id of every session record in the store (a database of this test's own), each with
    the seconds it has left to live."""
    engine = create_engine(database_url)

    def records() -> list[tuple[str, float]]:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, expires_at FROM sessions")).all()
        now = time.time()
        return [(str(sid), float(expires_at) - now) for sid, expires_at in rows]

    yield records
    engine.dispose()


@pytest.fixture
def outage(postgres_url: str) -> Iterator[Outage]:
    """PostgreSQL behind a proxy that can drop every connection, as a server that is gone
    does, or hang them, as a stopped (SIGSTOP) or hung server does: the kernel still takes
    the bytes, no answer comes (database.py bounds that wait). (A SQLite file's faults, a full
    disk or a read-only file, take the same path through server_side.py, which
    test_session_interface.py covers with a failing store.)"""
    with fault_proxy(postgres_url) as proxy:
        yield Outage(
            {"database_url": proxy.url},
            {
                "hung": Fault(proxy.hang, proxy.restore, keeps_sessions=True),
                "stopped": Fault(proxy.refuse, proxy.restore, keeps_sessions=True),
            },
        )


def store_env(directory: Path) -> dict[str, str]:
    """Well-formed `.env` values for this store, the SQLite file in `directory`."""
    return {"DATABASE_URL": f"sqlite:///{directory / 'sessions.sqlite3'}"}

"""Token refreshes coordinated across every process that shares the database.

See token_refresh.py. Outcomes are rows of the table `logto_token_refreshes` (key, outcome,
expires_at in epoch seconds), made on first use when missing; expired rows are deleted when
another is written. The lock is, on PostgreSQL, an advisory lock held on a connection of its own
(it ends with that connection if the process dies) and, for a SQLite file (always on this host),
a lock file beside it (file_lock.py). Other databases get no lock across processes; each
process still coordinates its own requests.

No refresh can stall another or the sessions: the lock's engine is this module's own (never
the session store's pool), a refresh uses one connection from taking the lock to releasing it
(the outcome is read and written on it), at most LOCK_CONNECTIONS refreshes of a process hold
one (the others wait in the event loop, not in a thread), and every database call runs on this
module's own threads, so the executor the sessions use is never filled by waiting refreshes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..auth.token_refresh import (
    LOCK_WAIT_SECONDS,
    POLL_SECONDS,
    LockWaitTimeout,
    RefreshUnavailable,
    SharedRefreshLock,
)
from ..masking import masked
from ..settings import Settings
from .database import make_engine
from .file_lock import file_lock
from .schema_lock import schema_lock

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Refreshes of one process that may hold a database connection at once; the lock's pool
#: holds exactly this many, and its threads are as many.
LOCK_CONNECTIONS = 8
_threads = ThreadPoolExecutor(LOCK_CONNECTIONS, thread_name_prefix="refresh-lock")


async def _in_thread(call: Callable[..., T], *args: Any) -> T:
    """Run a blocking database call on this module's threads."""
    return await asyncio.get_running_loop().run_in_executor(_threads, call, *args)


#: The first key of PostgreSQL's two-key advisory locks: this app's refreshes (the second is
#: taken from the refresh key), apart from any single-key lock such as schema_lock's.
ADVISORY_LOCK_CLASS = 0x10670

metadata = sa.MetaData()
refreshes_table = sa.Table(
    "logto_token_refreshes",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Integer, nullable=False, index=True),
)


class SqlSlot:
    """The outcome record of one key, read and written on the refresh's own connection (the
    one holding the advisory lock), or on a pooled one where a lock file is the lock."""

    def __init__(self, owner: SqlRefreshLock, key: str, held: sa.Connection | None) -> None:
        self._owner, self._key, self._held = owner, key, held

    @contextlib.contextmanager
    def _connection(self) -> Any:
        if self._held is not None:
            yield self._held
            return
        with self._owner.engine().connect() as connection:
            yield connection

    def _read(self) -> str | None:
        query = sa.select(refreshes_table.c.outcome).where(
            refreshes_table.c.key == self._key, refreshes_table.c.expires_at > int(time.time())
        )
        with self._connection() as connection:
            outcome: str | None = connection.execute(query).scalar_one_or_none()
            connection.commit()
            return outcome

    def _write(self, outcome: str, ttl_seconds: float) -> None:
        now = time.time()
        row = {"key": self._key, "outcome": outcome, "expires_at": int(now + ttl_seconds)}
        table = refreshes_table
        stale = sa.or_(table.c.key == self._key, table.c.expires_at <= int(now))
        with self._connection() as connection:
            try:
                connection.execute(sa.delete(table).where(stale))
                connection.execute(sa.insert(table).values(**row))
                connection.commit()
            except BaseException:
                connection.rollback()
                raise

    async def outcome(self) -> str | None:
        try:
            return await _in_thread(self._read)
        except SQLAlchemyError as error:
            raise RefreshUnavailable(f"database at {self._owner.address}: {error}") from error

    async def publish(self, outcome: str, ttl_seconds: float) -> None:
        try:
            await _in_thread(self._write, outcome, ttl_seconds)
        except SQLAlchemyError as error:
            address = self._owner.address
            logger.warning("database at %s: cannot publish a token refresh: %s", address, error)


class SqlRefreshLock:
    def __init__(self, database_url: str, wait_seconds: float = LOCK_WAIT_SECONDS) -> None:
        self.url, self.address = sa.make_url(database_url), masked(database_url)
        self.wait_seconds = wait_seconds
        self._engine: sa.Engine | None = None
        self._guard = threading.Lock()
        self._connections = threading.BoundedSemaphore(LOCK_CONNECTIONS)  # any event loop's

    def engine(self) -> sa.Engine:
        """The engine, and the table made if missing, on first use."""
        with self._guard:
            if self._engine is None:
                engine = make_engine(self.url, pool_size=LOCK_CONNECTIONS)
                try:
                    with schema_lock(engine):  # workers may get here together
                        metadata.create_all(engine)
                except BaseException:
                    engine.dispose()
                    raise
                self._engine = engine
            return self._engine

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[SqlSlot]:
        backend = self.url.get_backend_name()
        async with contextlib.AsyncExitStack() as stack:
            held = None
            try:
                engine = await _in_thread(self.engine)
                if backend == "postgresql":
                    held = await stack.enter_async_context(self._advisory_lock(engine, key))
                elif backend == "sqlite" and self.url.database:
                    directory = Path(f"{self.url.database}.refresh-locks")
                    await stack.enter_async_context(file_lock(directory, key, self.wait_seconds))
            except LockWaitTimeout:
                raise
            except (SQLAlchemyError, OSError) as error:
                raise RefreshUnavailable(f"database at {self.address}: {error}") from error
            yield SqlSlot(self, key, held)

    @contextlib.asynccontextmanager
    async def _connection_slot(self, deadline: float) -> AsyncIterator[None]:
        """One of LOCK_CONNECTIONS, waited for in the event loop (no thread waits on the pool)."""
        loop = asyncio.get_running_loop()
        while not self._connections.acquire(blocking=False):
            if loop.time() >= deadline:
                raise LockWaitTimeout(f"{LOCK_CONNECTIONS} refreshes hold the database")
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            self._connections.release()

    @contextlib.asynccontextmanager
    async def _advisory_lock(self, engine: sa.Engine, key: str) -> AsyncIterator[sa.Connection]:
        lock_id = int(key[:8], 16) - 2**31  # a signed 32-bit int
        params = {"class": ADVISORY_LOCK_CLASS, "id": lock_id}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        async with self._connection_slot(deadline):
            connection = await _in_thread(engine.connect)
            try:
                try_lock = sa.text(
                    "SELECT pg_try_advisory_lock(CAST(:class AS integer), CAST(:id AS integer))"
                )
                while not await _in_thread(_scalar, connection, try_lock, params):
                    if loop.time() >= deadline:
                        raise LockWaitTimeout(
                            f"held by another instance for {self.wait_seconds:g} s"
                        )
                    await asyncio.sleep(POLL_SECONDS)
                try:
                    yield connection
                finally:
                    await _in_thread(_advisory_unlock, connection, params, self.address)
            finally:
                await _in_thread(connection.close)


def _scalar(connection: sa.Connection, query: sa.TextClause, params: dict[str, int]) -> bool:
    result = bool(connection.execute(query, params).scalar())
    connection.commit()  # end the transaction; a session-level advisory lock outlives it
    return result


def _advisory_unlock(connection: sa.Connection, params: dict[str, int], address: str) -> None:
    unlock = sa.text("SELECT pg_advisory_unlock(CAST(:class AS integer), CAST(:id AS integer))")
    try:
        if _scalar(connection, unlock, params):
            return
        logger.warning("database at %s: the refresh lock was not held", address)
    except SQLAlchemyError as error:
        logger.warning("database at %s: cannot release the refresh lock: %s", address, error)
    # Never return a connection that may still hold the lock to the pool: closing it ends it.
    connection.invalidate()


def shared_refresh_lock(
    settings: Settings, wait_seconds: float = LOCK_WAIT_SECONDS
) -> SharedRefreshLock | None:
    url = sa.make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None  # an in-memory database lives in one process: nothing to share
    return SqlRefreshLock(settings.database_url, wait_seconds)

"""The SQL database that holds sessions: one way to connect to it, for the session store and
the token-refresh lock.

PostgreSQL never makes a request wait long: a connection has STORE_CONNECT_TIMEOUT_SECONDS to
open, the server cancels a statement after STATEMENT_TIMEOUT_SECONDS (`statement_timeout`: a
lock wait, a slow disk), and no wait for the server's answer lasts longer than
ANSWER_TIMEOUT_SECONDS: past it the connection is closed, so the pool never hands it out
again. That last bound is the client's own, for a server that is stopped or hung: its kernel
still acknowledges every packet, so no TCP timeout or keepalive ever fires, and psycopg waits
as long as the server takes.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import sqlalchemy as sa
from psycopg.abc import PQGen
from sqlalchemy.pool import StaticPool

from ..settings import STORE_COMMAND_TIMEOUT_SECONDS, STORE_CONNECT_TIMEOUT_SECONDS

#: SQLite's busy timeout: wait for another worker's write instead of failing.
SQLITE_BUSY_TIMEOUT_SECONDS = 15
#: PostgreSQL's `statement_timeout` for this app's connections: the server cancels the rest.
STATEMENT_TIMEOUT_SECONDS = STORE_COMMAND_TIMEOUT_SECONDS
#: The longest wait for any answer of a PostgreSQL server; a little above its own timeout, so
#: a live server's cancellation arrives first (and the connection stays usable).
ANSWER_TIMEOUT_SECONDS = STATEMENT_TIMEOUT_SECONDS + 0.5
SET_STATEMENT_TIMEOUT = f"SET statement_timeout = {round(STATEMENT_TIMEOUT_SECONDS * 1000)}"
RV = TypeVar("RV")


class BoundedConnection(psycopg.Connection[Any]):
    """A psycopg connection on which no wait for the server lasts past ANSWER_TIMEOUT_SECONDS:
    then the connection is closed and the call raises `psycopg.OperationalError` (SQLAlchemy
    takes a closed connection for a disconnect and drops it from the pool). Every query,
    commit and rollback waits through `wait`, which hands the server's readiness to `gen`
    and, between readiness, wakes it up every 0.1 s: the deadline is checked then."""

    def wait(self, gen: PQGen[RV], *args: Any, **kwargs: Any) -> RV:
        return super().wait(self._bounded(gen), *args, **kwargs)

    def _bounded(self, gen: PQGen[RV]) -> PQGen[RV]:
        deadline = time.monotonic() + ANSWER_TIMEOUT_SECONDS
        try:
            state = next(gen)
            while True:
                ready = yield state
                if time.monotonic() >= deadline:
                    self.pgconn.finish()  # not close(): the call in progress holds its lock
                    raise psycopg.OperationalError(
                        f"the server did not answer within {ANSWER_TIMEOUT_SECONDS:g} s"
                    )
                state = gen.send(ready)
        except StopIteration as done:
            result: RV = done.value
            return result


def connect_bounded(
    dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]
) -> BoundedConnection:
    """SQLAlchemy's `do_connect` for psycopg: a `BoundedConnection` with this app's
    `statement_timeout` (set once per connection, not as a startup option: PgBouncer refuses
    those)."""
    connection = BoundedConnection.connect(*cargs, **cparams)
    try:
        connection.execute(SET_STATEMENT_TIMEOUT)
        connection.commit()
    except BaseException:
        connection.close()
        raise
    return connection


def connect_args(url: sa.URL) -> dict[str, Any]:
    """The driver's connect arguments: time limits for PostgreSQL and SQLite."""
    backend = url.get_backend_name()
    if backend == "postgresql":
        return {"connect_timeout": STORE_CONNECT_TIMEOUT_SECONDS}
    if backend == "sqlite":
        return {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    return {}


def make_engine(database_url: str | sa.URL, pool_size: int | None = None) -> sa.Engine:
    """The session store's and the refresh lock's engine: SQLAlchemy's pool (5 connections
    and 10 more at need), or exactly `pool_size`. SQLite runs in WAL mode with a busy timeout,
    so several workers can share one file without "database is locked". A failed statement's
    error names no parameter (`hide_parameters`): they are session ids and tokens, and the
    error reaches the log."""
    url = sa.make_url(database_url)
    options: dict[str, Any] = {"hide_parameters": True}
    if pool_size is not None:
        options |= {"pool_size": pool_size, "max_overflow": 0}
    if url.get_backend_name() != "sqlite":
        engine = sa.create_engine(
            url, pool_pre_ping=True, connect_args=connect_args(url), **options
        )
        if url.get_driver_name() == "psycopg":
            sa.event.listen(engine, "do_connect", connect_bounded)
        return engine
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:  # one shared connection, or each thread would see its own database
        return sa.create_engine(
            url,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool,
            hide_parameters=True,
        )
    Path(url.database or "").parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args=connect_args(url), **options)

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL: readers and one writer at once. It is kept in the file, and switching fails
        # with "database is locked" (no busy wait) while another worker switches it: skip.
        with contextlib.suppress(sqlite3.OperationalError):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, fewer fsyncs
        cursor.close()

    return engine

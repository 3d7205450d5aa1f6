"""The SQL database that holds sessions: one way to connect to it, for the session store and
the token-refresh lock."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from ..settings import STORE_CONNECT_TIMEOUT_SECONDS

#: SQLite's busy timeout: wait for another worker's write instead of failing.
SQLITE_BUSY_TIMEOUT_SECONDS = 15


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
        return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args(url), **options)
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

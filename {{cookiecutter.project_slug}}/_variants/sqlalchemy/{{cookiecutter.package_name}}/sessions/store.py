"""Sessions in a SQL database (DATABASE_URL): a SQLite file by default, or PostgreSQL.

One row per session in the table `sessions` (id, JSON data, expiry in epoch seconds), made at
start (or once the database answers) when missing; a table of another shape stops the start
with one line. A save is one
upsert; every PURGE_EVERY_N_SAVES-th save also deletes expired rows. The engine is
database.py's (SQLite in WAL mode with a busy timeout).
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError

from ..settings import Settings, SettingsError
from .database import make_engine
from .schema_lock import check_columns, schema_lock
from .server_side import SessionStore
from .store_check import check_at_start, masked, unreachable

metadata = sa.MetaData()
sessions_table = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Integer, nullable=False, index=True),
)


class SqlStore(SessionStore):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.address = masked(database_url)
        self.engine = make_engine(database_url)

    def load(self, sid: str) -> dict[str, Any] | None:
        query = sa.select(sessions_table.c.data).where(
            sessions_table.c.id == sid, sessions_table.c.expires_at > int(time.time())
        )
        with self.engine.connect() as connection:
            raw = connection.execute(query).scalar_one_or_none()
        return None if raw is None else dict(json.loads(raw))

    def _write(self, sid: str, data: dict[str, Any], ttl_seconds: int, purge: bool) -> None:
        now = int(time.time())
        row = {"data": json.dumps(data, separators=(",", ":")), "expires_at": now + ttl_seconds}
        with self.engine.begin() as connection:
            upsert(connection, sid, row)
            if purge:
                expired = sa.delete(sessions_table).where(sessions_table.c.expires_at <= now)
                connection.execute(expired)

    def delete(self, sid: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(sessions_table).where(sessions_table.c.id == sid))

    def prepare(self) -> None:
        with schema_lock(self.engine):  # workers start together; one at a time makes the table
            metadata.create_all(self.engine)
        check_columns(self.engine, sessions_table.name, set(sessions_table.columns.keys()))

    def close(self) -> None:
        self.engine.dispose()  # the pool is made anew on next use


def upsert(connection: sa.Connection, sid: str, row: dict[str, Any]) -> None:
    """Insert or replace the row `sid` in one statement where the dialect has one."""
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        statement = insert(sessions_table).values(id=sid, **row)
        connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_=row))
        return
    changed = sa.update(sessions_table).where(sessions_table.c.id == sid).values(**row)
    if connection.execute(changed).rowcount == 0:
        connection.execute(sa.insert(sessions_table).values(id=sid, **row))


def open_store(settings: Settings) -> SqlStore:
    """The store and its table; if the database cannot be reached yet, one line names
    DATABASE_URL (store_check.py)."""
    url = settings.database_url
    assert url is not None
    try:
        store = SqlStore(url)
    except (ArgumentError, ImportError) as error:  # not a database this project can open
        raise SettingsError(
            f"DATABASE_URL={masked(url)!r} cannot be used ({error}): use sqlite:///<file> or "
            "postgresql://user:password@host/database"
        ) from error
    fix = "start it or fix DATABASE_URL"
    check_at_start(
        store, lambda error: unreachable("the database", "DATABASE_URL", url, error, fix)
    )
    return store

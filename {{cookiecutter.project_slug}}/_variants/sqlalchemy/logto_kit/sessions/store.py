"""Sessions in a SQL database (DATABASE_URL): a SQLite file by default, or PostgreSQL.

One row per session in the table `sessions` (id, JSON data, expiry in epoch seconds), made at
start (or once the database answers) when missing; a table of another shape stops the start
with one line. A save is one
upsert; every PURGE_EVERY_N_SAVES-th save also deletes expired rows. The engine is
database.py's (SQLite in WAL mode with a busy timeout).

With back-channel logout two more tables are made (the `sessions` table keeps its shape):
`logto_sessions` (session id, Logto `sid`, user `sub`, expiry: which Logto session signed each
session in) and `logout_tokens` (the `jti` of each logout token used, until its expiry); the
periodic purge deletes their expired rows too.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError

from ..about import USE_BACKCHANNEL_LOGOUT
from ..masking import masked
from ..settings import SettingsError
from .database import make_engine
from .schema_lock import check_columns, schema_lock
from .server_side import LogtoSession, SessionStore
from .store_check import check_at_start, unreachable
from .store_settings import StoreSettings

metadata = sa.MetaData()
sessions_table = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Integer, nullable=False, index=True),
)
logto_sessions_table = sa.Table(
    "logto_sessions",
    metadata,
    sa.Column("session_id", sa.String(64), primary_key=True),
    sa.Column("logto_sid", sa.String(255), nullable=True, index=True),
    sa.Column("sub", sa.String(255), nullable=False, index=True),
    sa.Column("expires_at", sa.Integer, nullable=False, index=True),
)
logout_tokens_table = sa.Table(
    "logout_tokens",
    metadata,
    sa.Column("jti", sa.String(255), primary_key=True),
    sa.Column("expires_at", sa.Integer, nullable=False, index=True),
)
#: The tables this project uses: `sessions`, and back-channel logout's where it has it.
TABLES = (
    [sessions_table, logto_sessions_table, logout_tokens_table]
    if USE_BACKCHANNEL_LOGOUT
    else [sessions_table]
)


class SqlStore(SessionStore):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.address = masked(database_url)
        self.engine = make_engine(database_url)
        on_sqlite = self.engine.dialect.name == "sqlite"
        self.fix = "make its folder writable" if on_sqlite else "start the database server"
        self.fix += " or set DATABASE_URL"

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
                for table in TABLES:
                    connection.execute(sa.delete(table).where(table.c.expires_at <= now))

    def delete(self, sid: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(sessions_table).where(sessions_table.c.id == sid))

    def bind(self, sid: str, logto_session: LogtoSession, ttl_seconds: int) -> None:
        row = {
            "session_id": sid,
            "logto_sid": logto_session.sid,
            "sub": logto_session.sub,
            "expires_at": int(time.time()) + ttl_seconds,
        }
        with self.engine.begin() as connection:
            bound = logto_sessions_table.c.session_id == sid
            connection.execute(sa.delete(logto_sessions_table).where(bound))
            connection.execute(sa.insert(logto_sessions_table).values(**row))

    def end_logto_session(self, logto_sid: str | None, sub: str | None) -> int:
        if logto_sid is not None:
            bound = logto_sessions_table.c.logto_sid == logto_sid
        elif sub is not None:
            bound = logto_sessions_table.c.sub == sub
        else:
            return 0
        with self.engine.begin() as connection:
            query = sa.select(logto_sessions_table.c.session_id).where(bound)
            sids = list(connection.execute(query).scalars())
            if sids:
                connection.execute(sa.delete(sessions_table).where(sessions_table.c.id.in_(sids)))
                connection.execute(sa.delete(logto_sessions_table).where(bound))
        return len(sids)

    def remember_logout_token(self, jti: str, until: int) -> bool:
        table, now = logout_tokens_table, int(time.time())
        with self.engine.begin() as connection:  # a used one that expired may be noted again
            connection.execute(
                sa.delete(table).where(table.c.jti == jti, table.c.expires_at <= now)
            )
            dialect = connection.dialect.name
            if dialect in ("sqlite", "postgresql"):
                insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
                statement = insert(table).values(jti=jti, expires_at=until)
                noted = statement.on_conflict_do_nothing().returning(table.c.jti)
                return connection.execute(noted).first() is not None
            if connection.execute(sa.select(table.c.jti).where(table.c.jti == jti)).first():
                return False
            connection.execute(sa.insert(table).values(jti=jti, expires_at=until))
            return True

    def forget_logout_token(self, jti: str) -> None:
        with self.engine.begin() as connection:
            table = logout_tokens_table
            connection.execute(sa.delete(table).where(table.c.jti == jti))

    def prepare(self) -> None:
        with schema_lock(self.engine):  # workers start together; one at a time makes the table
            metadata.create_all(self.engine, tables=TABLES)
        for table in TABLES:
            check_columns(self.engine, table.name, set(table.columns.keys()))

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    def unreachable(self, error: BaseException) -> str:
        return unreachable("the database", "DATABASE_URL", self.address, error)

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


def new_store(settings: StoreSettings) -> SqlStore:
    url = settings.database_url
    try:
        return SqlStore(url)
    except (ArgumentError, ImportError, ValueError) as error:  # no database it can open
        raise SettingsError(
            f"DATABASE_URL={masked(url)!r} cannot be used ({error}): use sqlite:///<file> or "
            "postgresql://user:password@host/database"
        ) from error


def open_store(settings: StoreSettings) -> SqlStore:
    """The store and its table; if the database cannot be reached yet, one line names
    DATABASE_URL (store_check.py)."""
    store = new_store(settings)
    check_at_start(store)
    return store

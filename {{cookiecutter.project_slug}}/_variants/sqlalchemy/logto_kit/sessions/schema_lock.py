"""One worker at a time may create the sessions table, and a table of another shape stops
the start with one line.

gunicorn starts several workers at once, and each creates the table if it is
missing; two doing so together make PostgreSQL fail with a duplicate `pg_type` entry (and
SQLite with "table already exists"), killing a worker at boot. PostgreSQL serializes them with
an advisory lock, a SQLite file with a lock file beside it (`filelock`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock
from sqlalchemy import Engine, inspect, text

from ..masking import masked
from ..settings import SettingsError

ADVISORY_LOCK_KEY = 0x5E55_1045  # any fixed number; only this app's start-up takes it


@contextlib.contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    backend = engine.url.get_backend_name()
    if backend == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            try:
                yield
            finally:
                unlock = text("SELECT pg_advisory_unlock(:key)")
                connection.execute(unlock, {"key": ADVISORY_LOCK_KEY})
    elif backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with FileLock(Path(f"{engine.url.database}.lock"), mode=0o600):
            yield
    else:
        yield


def check_columns(engine: Engine, table: str, expected: set[str]) -> None:
    """Stop with one line when `table` has other columns than this app reads and writes
    (another app's table of the same name)."""
    found = {column["name"] for column in inspect(engine).get_columns(table)}
    if found != expected:
        raise SettingsError(
            f"the table {table!r} at {masked(engine.url.render_as_string(hide_password=False))} "
            f"(DATABASE_URL) has the columns {', '.join(sorted(found))}, not "
            f"{', '.join(sorted(expected))}: it holds another app's sessions; give this app "
            "a database of its own"
        )

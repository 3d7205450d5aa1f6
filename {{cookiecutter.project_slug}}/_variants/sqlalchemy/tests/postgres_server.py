"""A real PostgreSQL server for the session-storage tests (servers.py starts and stops it).

PostgreSQL refuses to run as root, so under root ``initdb`` and ``postgres`` run as the
``postgres`` user (from Debian's ``postgresql`` package), or else as ``nobody``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .servers import HOST, User, launch, spawn, stop, tail

POSTGRES_LIB_DIR = Path("/usr/lib/postgresql")  # Debian: <version>/bin/{initdb,postgres}
PG_USER = "app"  # the cluster's superuser, in the yielded URL
INITDB_FLAGS = ["-U", PG_USER, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]
POSTGRES_FLAGS = ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"]
TEST_POSTGRES_URL = "TEST_POSTGRES_URL"  # postgresql://user:pw@host/db: a new database per run
POSTGRES_HINT = (
    "PostgreSQL server binaries (initdb, postgres) not found: install them"
    " (apt-get install -y postgresql) or set POSTGRES_BIN_DIR"
)


def _version(bin_dir: Path) -> tuple[int, ...]:
    with contextlib.suppress(ValueError):
        return tuple(int(part) for part in bin_dir.parent.name.split("."))
    return ()


def postgres_bin_dir() -> Path | None:
    """``$POSTGRES_BIN_DIR``, else ``initdb``'s folder on PATH, else the newest Debian one."""
    candidates = [Path(env)] if (env := os.environ.get("POSTGRES_BIN_DIR")) else []
    if on_path := shutil.which("initdb"):
        candidates.append(Path(on_path).resolve().parent)  # symlinks: find pg_isready too
    candidates += sorted(POSTGRES_LIB_DIR.glob("*/bin"), key=_version, reverse=True)
    for bin_dir in candidates:
        if all(os.access(bin_dir / name, os.X_OK) for name in ("initdb", "postgres")):
            return bin_dir
    return None


def _unprivileged_user() -> User | None:
    """Whom to run PostgreSQL as when we are root; None means as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
    pytest.fail("running as root, and neither user 'postgres' nor 'nobody' exists")


@contextlib.contextmanager
def running_postgres(directory: Path) -> Iterator[str]:
    """A fresh PostgreSQL cluster (trust auth, fsync off); yields a SQLAlchemy psycopg URL.

    Logs go to ``directory``. The cluster and its socket live in a short ``$TMPDIR/pg-*`` directory
    owned by the server's user, which it can reach (pytest's tmp dirs are private to their owner,
    and Unix socket paths are limited to ~100 bytes); it is removed afterwards.
    """
    bin_dir = postgres_bin_dir() or pytest.fail(POSTGRES_HINT)
    pg_isready = bin_dir / "pg_isready"
    if not os.access(pg_isready, os.X_OK):
        pg_isready = Path(shutil.which("pg_isready") or pytest.fail(POSTGRES_HINT))
    directory.mkdir(parents=True, exist_ok=True)
    user = _unprivileged_user()
    base = Path(tempfile.mkdtemp(prefix="pg-"))
    try:
        data, sockets = base / "data", base / "socket"
        sockets.mkdir()
        if user:
            os.chown(base, *user)
            os.chown(sockets, *user)
        log = directory / "initdb.log"
        initdb = spawn([str(bin_dir / "initdb"), "-D", str(data), *INITDB_FLAGS], log, user, base)
        try:
            initdb.wait()
        finally:
            stop(initdb, signal.SIGKILL)  # only if interrupted
        if initdb.returncode != 0:
            pytest.fail(f"initdb failed; last lines of {log}:\n{tail(log)}")

        def command(port: int) -> list[str]:
            where = ["-D", str(data), "-k", str(sockets), "-h", HOST, "-p", str(port)]
            return [str(bin_dir / "postgres"), *where, *POSTGRES_FLAGS]

        def ready(port: int) -> bool:
            probe = [str(pg_isready), "-q", "-h", HOST, "-p", str(port), "-U", PG_USER, "-t", "1"]
            return subprocess.run([*probe, "-d", "postgres"], check=False).returncode == 0

        proc, port = launch("postgres", command, ready, directory / "postgres.log", user, base)
        try:
            yield f"postgresql+psycopg://{PG_USER}@{HOST}:{port}/postgres"
        finally:
            stop(proc, signal.SIGINT)  # SIGINT = fast shutdown
    finally:
        shutil.rmtree(base, ignore_errors=True)

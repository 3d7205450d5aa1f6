"""Real Redis and PostgreSQL servers for the session-storage tests.

``running_redis`` and ``running_postgres`` start a throwaway server on 127.0.0.1 and a free port,
yield its URL, and stop it by PID when the block ends, even if the test failed. Nothing persists.
A missing binary fails the test with the command that installs it: these tests never skip.

PostgreSQL refuses to run as root, so under root ``initdb`` and ``postgres`` run as the
``postgres`` user (from Debian's ``postgresql`` package), or else as ``nobody``.

A server that is already running is used instead when ``TEST_REDIS_URL`` / ``TEST_POSTGRES_URL``
holds its URL (CI's service containers): see ``given_server``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds for a started server to answer
STOP_TIMEOUT = 10.0  # seconds between the polite signal and SIGKILL
POSTGRES_LIB_DIR = Path("/usr/lib/postgresql")  # Debian: <version>/bin/{initdb,postgres}
PG_USER = "app"  # the cluster's superuser, in the yielded URL
INITDB_FLAGS = ["-U", PG_USER, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]
POSTGRES_FLAGS = ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"]
TEST_REDIS_URL = "TEST_REDIS_URL"  # redis://host:6379/0: each test empties that database first
TEST_POSTGRES_URL = "TEST_POSTGRES_URL"  # postgresql://user:pw@host/db: a new database per run
REDIS_HINT = "redis-server not found: install it (apt-get install -y redis-server)"
POSTGRES_HINT = (
    "PostgreSQL server binaries (initdb, postgres) not found: install them"
    " (apt-get install -y postgresql) or set POSTGRES_BIN_DIR"
)

User = tuple[int, int]  # (uid, gid)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def given_server(variable: str, schemes: tuple[str, ...]) -> str | None:
    """The URL in ``$variable`` of a server that is already running, or None (unset or empty)
    when the tests start their own. A URL of another kind fails the test that asked for it."""
    url = os.environ.get(variable, "").strip()
    if not url:
        return None
    if url.partition("://")[0] not in schemes:
        pytest.fail(f"{variable} must be a {' or '.join(f'{s}://' for s in schemes)} URL")
    return url


def _tail(log: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) or "(empty)"
    return "(no log)"


def _spawn(command: list[str], log: Path, user: User | None, cwd: Path) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own session, output appended to ``log``, as ``user`` if given."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
            user=user[0] if user else None,
            group=user[1] if user else None,
            extra_groups=[] if user else None,  # drop root's supplementary groups
        )


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send ``sig`` to the server's PID, SIGKILL its process group if it lingers, then reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # own session, so pgid == pid
    proc.wait()


def _launch(
    name: str,
    command: Callable[[int], list[str]],
    ready: Callable[[int], bool],
    log: Path,
    user: User | None = None,
    cwd: Path | None = None,
) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``command(port)`` until ``ready(port)``; one retry if it exits (a port race)."""
    for attempt in (1, 2):
        port = free_port()
        proc = _spawn(command(port), log, user, cwd or log.parent)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while proc.poll() is None and time.monotonic() < deadline:
                if ready(port) and proc.poll() is None:
                    return proc, port
                time.sleep(0.02)
        except BaseException:
            _stop(proc, signal.SIGKILL)
            raise
        exited = proc.poll() is not None
        _stop(proc, signal.SIGKILL)
        if not exited or attempt == 2:  # timed out, or exited twice: not a port race
            why = f"exited with {proc.returncode}" if exited else f"no answer in {START_TIMEOUT}s"
            pytest.fail(f"{name} did not start ({why}); last lines of {log}:\n{_tail(log)}")
    raise AssertionError("unreachable")


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def running_redis(directory: Path) -> Iterator[str]:
    """A fresh Redis without persistence; yields ``redis://127.0.0.1:<port>/0``."""
    binary = shutil.which("redis-server") or pytest.fail(REDIS_HINT)
    directory.mkdir(parents=True, exist_ok=True)

    def command(port: int) -> list[str]:
        flags = ["--port", str(port), "--bind", HOST, "--dir", str(directory), "--logfile", ""]
        return [binary, *flags, "--save", "", "--appendonly", "no", "--daemonize", "no"]

    proc, port = _launch("redis-server", command, _redis_answers, directory / "redis.log")
    try:
        yield f"redis://{HOST}:{port}/0"
    finally:
        _stop(proc, signal.SIGTERM)


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
        initdb = _spawn([str(bin_dir / "initdb"), "-D", str(data), *INITDB_FLAGS], log, user, base)
        try:
            initdb.wait()
        finally:
            _stop(initdb, signal.SIGKILL)  # only if interrupted
        if initdb.returncode != 0:
            pytest.fail(f"initdb failed; last lines of {log}:\n{_tail(log)}")

        def command(port: int) -> list[str]:
            where = ["-D", str(data), "-k", str(sockets), "-h", HOST, "-p", str(port)]
            return [str(bin_dir / "postgres"), *where, *POSTGRES_FLAGS]

        def ready(port: int) -> bool:
            probe = [str(pg_isready), "-q", "-h", HOST, "-p", str(port), "-U", PG_USER, "-t", "1"]
            return subprocess.run([*probe, "-d", "postgres"], check=False).returncode == 0

        proc, port = _launch("postgres", command, ready, directory / "postgres.log", user, base)
        try:
            yield f"postgresql+psycopg://{PG_USER}@{HOST}:{port}/postgres"
        finally:
            _stop(proc, signal.SIGINT)  # SIGINT = fast shutdown
    finally:
        shutil.rmtree(base, ignore_errors=True)

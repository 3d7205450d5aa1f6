"""Real servers for the session-storage tests, started and stopped here (redis_server.py,
postgres_server.py: the store's own).

A server starts on 127.0.0.1 and a free port, its URL is yielded, and it is stopped by PID when
the block ends, even if the test failed. Nothing persists. A missing binary fails the test with
the command that installs it: these tests never skip. A server that is already running is used
instead when the store's ``TEST_..._URL`` variable holds its URL (CI's service containers): see
``given_server``. ``paused`` stops a server started here with SIGSTOP for a while.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HOST = "127.0.0.1"
START_TIMEOUT = 30.0  # seconds for a started server to answer
STOP_TIMEOUT = 10.0  # seconds between the polite signal and SIGKILL

User = tuple[int, int]  # (uid, gid)
#: The servers started here that still run, by port (what `paused` finds them by).
RUNNING: dict[int, subprocess.Popen[bytes]] = {}


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


def tail(log: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) or "(empty)"
    return "(no log)"


def spawn(command: list[str], log: Path, user: User | None, cwd: Path) -> subprocess.Popen[bytes]:
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


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send ``sig`` to the server's PID, SIGKILL its process group if it lingers, then reap it."""
    for port in [port for port, running in RUNNING.items() if running is proc]:
        del RUNNING[port]
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # own session, so pgid == pid
    proc.wait()


def launch(
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
        proc = spawn(command(port), log, user, cwd or log.parent)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while proc.poll() is None and time.monotonic() < deadline:
                if ready(port) and proc.poll() is None:
                    RUNNING[port] = proc
                    return proc, port
                time.sleep(0.02)
        except BaseException:
            stop(proc, signal.SIGKILL)
            raise
        exited = proc.poll() is not None
        stop(proc, signal.SIGKILL)
        if not exited or attempt == 2:  # timed out, or exited twice: not a port race
            why = f"exited with {proc.returncode}" if exited else f"no answer in {START_TIMEOUT}s"
            pytest.fail(f"{name} did not start ({why}); last lines of {log}:\n{tail(log)}")
    raise AssertionError("unreachable")


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs (from /proc: PostgreSQL's backends are in
    sessions of their own, so its process group does not hold them)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])  # after "(name)": state, ppid
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo += children.get(child, [])
    return found


@contextlib.contextmanager
def paused(url: str) -> Iterator[None]:
    """The server at ``url``, started here, stopped with SIGSTOP (as a hung host or a debugger
    stops it: its kernel still accepts connections and data, nothing answers) with every
    process it started, until the block ends (SIGCONT)."""
    proc = RUNNING.get(urlsplit(url).port or 0)
    if proc is None or proc.poll() is not None:
        pytest.fail(f"no server started by these tests runs at {url}")
    os.kill(proc.pid, signal.SIGSTOP)  # first: a stopped server forks no more
    stopped = [proc.pid, *descendants(proc.pid)]
    for pid in stopped[1:]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)

"""Start, wait for and stop helper processes (servers) in tests.

Every process runs in its own process group, writes stdout and stderr to a log file,
and is stopped by its PID (SIGTERM to its group, then SIGKILL), never by name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

LOG_TAIL_LINES = 40


PORTS_PER_WORKER = 400
_last_handed_out: int | None = None


def _ephemeral_ports() -> range:
    """The kernel's range for ports it picks itself (client sockets, `bind(port 0)`)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return range(int(low), int(high) + 1)
    except (OSError, ValueError):
        return range(32768, 61000)  # Linux's default


def _worker_ports() -> range:
    """This test process's own block of ports, below the ephemeral range.

    A port the kernel hands to `bind(0)` is in the ephemeral range, where any client
    socket (to the IdP, to Redis) or another xdist worker may take it between the moment
    it is chosen and the moment a server binds it; a server that then binds late is not
    the one a test talks to. Ports from a block per xdist worker, outside that range,
    are taken by nobody else in the test run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) if worker.isdigit() else 0
    first = 10000 + index * PORTS_PER_WORKER
    block = range(first, first + PORTS_PER_WORKER)
    if block.stop > _ephemeral_ports().start:
        raise RuntimeError(f"no port block below the ephemeral range for worker {worker}")
    return block


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now and that no other test in this run
    will be given (see `_worker_ports`). Ports are handed out in turn, so one is reused
    only after the whole block has been."""
    global _last_handed_out
    block = _worker_ports()
    if _last_handed_out is None:
        # An offset of this process's own, so two test runs side by side rarely meet.
        start = os.getpid() % len(block)
    else:
        start = block.index(_last_handed_out) + 1
    for step in range(len(block)):
        port = block[(start + step) % len(block)]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _last_handed_out = port
        return port
    raise RuntimeError(f"every port of {block} is in use")


def require_binary(name: str, install_hint: str) -> str:
    """Return the path of executable `name`; fail the test (never skip) if it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: {install_hint}", pytrace=False)
    return path


def log_tail(log_path: str | os.PathLike[str], lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of a log file ("" if it does not exist)."""
    try:
        text = Path(log_path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def start_process(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str] | None,
    log_path: str | os.PathLike[str],
) -> subprocess.Popen[bytes]:
    """Start `args` in a new session (so a new process group) with stdout and stderr
    appended to `log_path`. `env=None` inherits this process's environment."""
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [os.fspath(arg) for arg in args],
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_PROBE_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def wait_for_http(
    url: str,
    *,
    process: subprocess.Popen,
    log_path: str | os.PathLike[str],
    timeout: float = 30,
) -> None:
    """Poll `url` until it answers with an HTTP status from 200 to 499 (redirects are
    not followed). Fail the test, with the last log lines, if `process` exits first or
    `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    while True:
        code = process.poll()
        if code is not None:
            pytest.fail(
                f"{_describe(process)} exited with code {code} before {url} answered; "
                f"last {LOG_TAIL_LINES} lines of {log_path}:\n{log_tail(log_path)}",
                pytrace=False,
            )
        try:
            with _PROBE_OPENER.open(url, timeout=2) as response:
                status = response.status
        except urllib.error.HTTPError as err:
            status = err.code
            err.close()
        except (urllib.error.URLError, OSError) as err:
            status = None
            last_error = str(err)
        if status is not None:
            if 200 <= status < 500:
                return
            last_error = f"HTTP {status}"
        if time.monotonic() >= deadline:
            pytest.fail(
                f"{url} did not answer within {timeout} s ({last_error}); "
                f"last {LOG_TAIL_LINES} lines of {log_path}:\n{log_tail(log_path)}",
                pytrace=False,
            )
        time.sleep(0.1)


def stop_process(process: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM the process group of `process` (by its PID), wait up to `timeout` s,
    then SIGKILL it; always reaps `process` so no zombie is left."""
    _signal_group(process, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait()
    else:
        # The leader is gone; make sure nothing it started lingers in its group.
        _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    # start_new_session=True made the child a session and group leader: pgid == pid.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _describe(process: subprocess.Popen) -> str:
    args = process.args if isinstance(process.args, (list, tuple)) else [process.args]
    return f"process {process.pid} ({' '.join(map(str, args))})"


@contextlib.contextmanager
def running_process(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None,
    env: Mapping[str, str] | None,
    log_path: str | os.PathLike[str],
    ready_url: str,
    timeout: float = 30,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a process, wait until `ready_url` answers, yield it, stop it on exit."""
    process = start_process(args, cwd=cwd, env=env, log_path=log_path)
    try:
        wait_for_http(ready_url, process=process, log_path=log_path, timeout=timeout)
        yield process
    finally:
        stop_process(process)

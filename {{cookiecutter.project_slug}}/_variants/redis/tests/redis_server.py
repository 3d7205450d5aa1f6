"""A real Redis server for the session-storage tests (servers.py starts and stops it)."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from .servers import HOST, launch, stop

TEST_REDIS_URL = "TEST_REDIS_URL"  # redis://host:6379/0: each test empties that database first
REDIS_HINT = "redis-server not found: install it (apt-get install -y redis-server)"


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

    proc, port = launch("redis-server", command, _redis_answers, directory / "redis.log")
    try:
        yield f"redis://{HOST}:{port}/0"
    finally:
        stop(proc, signal.SIGTERM)

"""A TCP proxy in front of a real Redis or PostgreSQL that can take the store away: `refuse()`
drops every connection and refuses new ones (as a stopped server does), `hang()` keeps them
open but passes nothing on (as a hung server does), `restore()` brings it back on the same
port. It works the same with a server the tests started and with CI's service container."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

HOST = "127.0.0.1"
CHUNK = 65536


class FaultProxy:
    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or HOST, parts.port or 0)
        listener = self._listen(0)
        self._listener: socket.socket | None = listener
        self.port: int = listener.getsockname()[1]
        netloc = parts.netloc.rsplit("@", 1)
        netloc[-1] = f"{HOST}:{self.port}"
        self.url = urlunsplit(parts._replace(netloc="@".join(netloc)))
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = False
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    @staticmethod
    def _listen(port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, port))
        listener.listen(64)
        return listener

    def refuse(self) -> None:
        """Drop every connection and refuse new ones."""
        with self._lock:
            listener, self._listener = self._listener, None
            connections, self._connections = self._connections, []
        if listener is not None:
            with contextlib.suppress(OSError):  # wakes the thread blocked in accept() (Linux)
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def hang(self) -> None:
        """Accept and keep connections, but pass nothing on in either direction."""
        self._flowing.clear()

    def restore(self) -> None:
        with self._lock:
            if self._listener is None:
                listener = self._listener = self._listen(self.port)
                threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        self._flowing.set()

    def close(self) -> None:
        self._closed = True
        self.refuse()
        self._flowing.set()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed by refuse()
                return
            try:
                server = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._connections += [client, server]
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        try:
            while not self._closed:
                if not self._flowing.wait(0.05):
                    continue  # hung: whatever was sent waits in the kernel's buffers
                readable, _, _ = select.select(list(peers), [], [], 0.05)
                for source in readable:
                    data = source.recv(CHUNK)
                    if not data:
                        return
                    peers[source].sendall(data)
        except OSError:
            return
        finally:
            for end in (client, server):
                with contextlib.suppress(OSError):
                    end.close()


@contextlib.contextmanager
def fault_proxy(upstream_url: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream_url)
    try:
        yield proxy
    finally:
        proxy.close()

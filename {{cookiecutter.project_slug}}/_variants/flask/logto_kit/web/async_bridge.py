"""Run the Logto SDK's coroutines from Flask's sync views.

Only the views that talk to Logto use this; pages that just read the session stay plain
sync views (a Flask `async def` view starts a new event loop on every request). Each worker
thread keeps one loop (closed when the thread ends), and the coroutine runs in the calling
thread, so `flask.session` still resolves to the current request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class _ThreadLoop:
    """A thread's event loop, closed when the thread ends (its thread-local data goes)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        self.loop.close()


_thread_state = threading.local()


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    holder: _ThreadLoop | None = getattr(_thread_state, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _thread_state.holder = _ThreadLoop()
    return holder.loop.run_until_complete(coroutine)

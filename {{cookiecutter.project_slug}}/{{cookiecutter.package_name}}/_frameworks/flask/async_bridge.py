"""Run the Logto SDK's coroutines from Flask's sync views.

Only the views that talk to Logto use this; pages that just read the session stay plain
sync views (a Flask `async def` view starts a new event loop on every request). Each worker
thread keeps one loop, and the coroutine runs in the calling thread, so `flask.session`
still resolves to the current request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_thread_state = threading.local()


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    loop: asyncio.AbstractEventLoop | None = getattr(_thread_state, "loop", None)
    if loop is None or loop.is_closed():
        loop = _thread_state.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coroutine)

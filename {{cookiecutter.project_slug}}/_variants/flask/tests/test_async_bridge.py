"""Flask's sync views run the SDK's coroutines on one event loop per thread."""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings

from logto_kit.web.async_bridge import run_coroutine


async def running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_a_thread_keeps_its_loop() -> None:
    assert run_coroutine(running_loop()) is run_coroutine(running_loop())


def test_a_finished_threads_loop_is_closed() -> None:
    loops: list[asyncio.AbstractEventLoop] = []
    worker = threading.Thread(target=lambda: loops.append(run_coroutine(running_loop())))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        worker.start()
        worker.join()
        del worker
        gc.collect()
    (loop,) = loops
    assert loop.is_closed()
    assert not [w for w in caught if "unclosed event loop" in str(w.message)]

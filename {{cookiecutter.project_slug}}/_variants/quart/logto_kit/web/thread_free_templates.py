"""Rendering a blueprint's page without a trip to a worker thread.

Every Quart blueprint starts with a default context processor inherited from the base classes
Quart is built on: a plain function that finds nothing to add in a Quart app. Quart runs each
plain (sync) context processor in a worker thread, so every `await render_template` in a
blueprint's view waited on a thread for an empty dict: about 200 µs of a 700 µs signed-in page
(docs/benchmarks.md). Once the app is set up and starts serving, this drops that one function
from every blueprint, the project's own included.

A context processor of the project's own that is a plain function still runs in a thread,
as Quart documents: make it `async def` when it does no blocking work.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from quart import Blueprint, Quart


def inherited_default_processor() -> Callable[[], object] | None:
    """The plain context processor a new blueprint starts with (None once Quart gives
    blueprints none, or an async one, which runs on the event loop)."""
    processors = Blueprint("probe", __name__).template_context_processors.get(None) or []
    plain = [p for p in processors if not inspect.iscoroutinefunction(p)]
    return plain[0] if plain else None


INHERITED_DEFAULT_PROCESSOR = inherited_default_processor()


def drop_inherited_default_processor(app: Quart) -> None:
    if INHERITED_DEFAULT_PROCESSOR is None:
        return
    for processors in app.template_context_processors.values():
        processors[:] = [p for p in processors if p is not INHERITED_DEFAULT_PROCESSOR]


def register_thread_free_templates(app: Quart) -> None:
    """At start-up, after every blueprint (the project's too) has been registered."""

    @app.before_serving
    async def thread_free_templates() -> None:
        drop_inherited_default_processor(app)

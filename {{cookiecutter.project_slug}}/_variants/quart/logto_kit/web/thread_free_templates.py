"""Rendering a blueprint's page without a trip to a worker thread.

Quart builds on Flask's code, and every Quart blueprint inherits Flask's default context
processor: a plain function that looks for a Flask request (there is none in Quart) and adds
nothing. Quart runs each plain (sync) context processor in a worker thread, so every
`await render_template` in a blueprint's view waited on a thread for an empty dict: about
200 µs of a 700 µs signed-in page (docs/benchmarks.md). Once the app is set up and starts
serving, this drops that one function from every blueprint, the project's own included.

A context processor of the project's own that is a plain function still runs in a thread,
as Quart documents: make it `async def` when it does no blocking work.
"""

from __future__ import annotations

from flask import templating as flask_templating
from quart import Quart

#: Flask's processor, as Flask's code gives it to every blueprint (None if Flask drops it).
FLASK_DEFAULT_PROCESSOR = getattr(flask_templating, "_default_template_ctx_processor", None)


def drop_flask_default_processor(app: Quart) -> None:
    for processors in app.template_context_processors.values():
        processors[:] = [p for p in processors if p is not FLASK_DEFAULT_PROCESSOR]


def register_thread_free_templates(app: Quart) -> None:
    """At start-up, after every blueprint (the project's too) has been registered."""

    @app.before_serving
    async def thread_free_templates() -> None:
        drop_flask_default_processor(app)

"""Quart: a page renders on the event loop, without a trip to a worker thread for the empty
default context processor every blueprint inherits (logto_kit/web/thread_free_templates.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from quart import Blueprint, render_template

from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app


def test_pages_render_without_a_worker_thread_and_plain_processors_still_run(
    settings: Settings,
) -> None:
    app = create_app(settings)
    owners = Blueprint("owners", __name__)
    plain_calls: list[str] = []

    @owners.context_processor
    def plain_processor() -> dict[str, str]:  # an owner's plain function: kept, in a thread
        plain_calls.append("called")
        return {}

    @owners.get("/mine")
    async def mine() -> str:
        return await render_template("home.html")

    app.register_blueprint(owners)

    async def scenario() -> tuple[list[Any], list[Any]]:
        async with app.test_app() as test_app:
            loop = asyncio.get_running_loop()
            handed_to_threads: list[Any] = []
            run_in_executor = loop.run_in_executor

            def counted(executor: Any, func: Any, *args: Any) -> Any:
                handed_to_threads.append(func)
                return run_in_executor(executor, func, *args)

            loop.run_in_executor = counted  # type: ignore[method-assign, assignment]
            client = test_app.test_client()
            home = await client.get("/")
            assert home.status_code == 200
            on_home = list(handed_to_threads)
            handed_to_threads.clear()
            page = await client.get("/mine")
            assert page.status_code == 200
            return on_home, list(handed_to_threads)

    on_home, on_mine = asyncio.run(scenario())
    assert on_home == []  # the home page (a blueprint's) never left the event loop
    assert len(on_mine) == 1 and plain_calls == ["called"]  # the owner's own, in a thread

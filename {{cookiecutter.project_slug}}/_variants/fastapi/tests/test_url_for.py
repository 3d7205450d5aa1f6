"""`url_for` in templates (and `path_for` in code): a route's path by its name, its path
parameters from the values, every other value in the query string, as the templates call it;
route paths are remembered per app, which never shows a different link: a route added later
resolves, and each call's own values make its path and query."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.routing import NoMatchFound

from logto_kit.settings import Settings
from logto_kit.web.templates import ROUTE_PATHS, path_for, route_paths

from {{ cookiecutter.package_name }} import create_app

from .page_client import PageClient


def app_with_links(settings: Settings) -> FastAPI:
    """The app, with a route that answers the links `path_for` makes from its query."""
    app = create_app(settings)

    @app.get("/links", response_class=PlainTextResponse)
    async def links(request: Request) -> str:
        name = request.query_params["name"]
        values = {k: v for k, v in request.query_params.items() if k != "name"}
        try:
            return path_for(request, name, **values)
        except NoMatchFound:
            return "no such route"

    @app.get("/tags", response_class=PlainTextResponse)
    async def tags(request: Request) -> str:
        """A query value that is a list (one `tag=` each)."""
        return path_for(request, "items.show", item_id=7, tag=["a", "b"])

    @app.get("/items/{item_id}", name="items.show")
    async def item(item_id: int) -> PlainTextResponse:
        return PlainTextResponse(str(item_id))

    return app


def link(client: PageClient, name: str, **values: str) -> str:
    page = client.get("/links", {"name": name, **values})
    assert page.status == 200, page.text
    return page.text


def test_path_values_and_query_values(settings: Settings) -> None:
    client = PageClient(app_with_links(settings))
    try:
        assert link(client, "pages.home") == "/"
        assert link(client, "static", filename="style.css") == "/static/style.css"
        assert link(client, "items.show", item_id="7") == "/items/7"
        assert link(client, "items.show", item_id="8") == "/items/8"  # not the remembered 7
        assert link(client, "items.show", item_id="7", tab="a b") == "/items/7?tab=a+b"
        assert link(client, "items.show", item_id="7") == "/items/7"  # no query left over
        assert link(client, "logto.sign_in", next="/profile?tab=1") == (
            "/sign-in?next=/profile?tab%3D1"
        )
        assert link(client, "no.such.route") == "no such route"
        assert client.get("/tags").text == "/items/7?tag=a&tag=b"  # a list: not remembered
    finally:
        client.close()


def test_a_route_added_later_resolves(settings: Settings) -> None:
    app = app_with_links(settings)
    client = PageClient(app)
    try:
        assert link(client, "later.page") == "no such route"
        assert link(client, "pages.home") == "/"

        @app.get("/later", name="later.page")
        async def later() -> PlainTextResponse:
            return PlainTextResponse("later")

        assert link(client, "later.page") == "/later"
        assert link(client, "pages.home") == "/"
    finally:
        client.close()


def test_remembered_paths_are_bounded(settings: Settings) -> None:
    app = app_with_links(settings)
    paths = route_paths(app)
    for item_id in range(ROUTE_PATHS + 100):
        paths("items.show", (("item_id", item_id),))
    info = paths.cache_info()  # type: ignore[attr-defined]
    assert info.currsize == ROUTE_PATHS and info.maxsize == ROUTE_PATHS

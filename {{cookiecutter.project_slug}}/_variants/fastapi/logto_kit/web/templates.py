"""The app's templates: `Jinja2Templates` over the app's `templates/` folder, then this
package's (`logto/...`, overridable by the app's own `templates/logto/<name>.html`).

    templates = page_templates(Path(__file__).parent / "templates")
    return templates.TemplateResponse(request, "home.html")

Every page gets the visitor (`user`, `user_name`, `sign_in_options`), `csrf_token()`,
`get_flashed_messages()`, the project's name, and `url_for(name, **values)`: a route's name
and its path parameters, every other value in the query string
(`url_for('logto.sign_in', next='/orders')`), `url_for('static', filename=...)`; it gives a
path (with the app's root path), not a full URL. What a view passes wins over these; the
app's own context processors (Starlette's) win over both.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from functools import partial
from itertools import combinations
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.routing import NoMatchFound
from starlette.templating import _TemplateResponse

from ..about import PROJECT_NAME
from .claims import shown_claims
from .csrf import csrf_token
from .flashes import get_flashed_messages
from .signed_in import signed_in_context

KIT_TEMPLATES = Path(__file__).parent / "templates"
#: What `url_for` leaves unquoted in a query value (`next=/profile?tab%3Dclaims`), as
#: Werkzeug's URL building does.
QUERY_SAFE = "!$'()*,/:;?@"
ROUTE_PATHS = 4096  # remembered route paths, per app


@jinja2.pass_context
def url_for(context: Mapping[str, Any], name: str, /, **values: Any) -> str:
    """The path of route `name` (see above)."""
    return path_for(context["request"], name, **values)


def path_for(request: Request, name: str, /, **values: Any) -> str:
    """`url_for` outside a template."""
    if name == "static" and "filename" in values:
        values["path"] = values.pop("filename")
    items = tuple(values.items())
    try:
        path, path_names = route_paths(request.app)(name, items)
    except TypeError:  # a value that cannot be a key (a list for the query): not remembered
        path, path_names = _route_path(request.app, name, items)
    query = {k: v for k, v in values.items() if k not in path_names and v is not None}
    root = request.scope.get("root_path", "")
    return f"{root}{path}" + (f"?{urlencode(query, doseq=True, safe=QUERY_SAFE)}" if query else "")


RoutePaths = Callable[[str, tuple[tuple[str, Any], ...]], tuple[str, frozenset[str]]]


def route_paths(app: Any) -> RoutePaths:
    """`app`'s route paths by name and values, remembered (at most ROUTE_PATHS, the least
    recently used forgotten first). FastAPI finds a path by trying every route in turn (about
    25 µs a link, six links a page); a path depends only on the routes, never on the request,
    and routes are only ever added (the first route of a name wins, so a route added later
    never changes an earlier answer): remembering cannot show anyone a different link."""
    found: RoutePaths | None = getattr(app.state, "route_paths", None)
    if found is None:
        found = app.state.route_paths = functools.lru_cache(maxsize=ROUTE_PATHS)(
            functools.partial(_route_path, app)
        )
    return found


def _route_path(
    app: Any, name: str, items: tuple[tuple[str, Any], ...]
) -> tuple[str, frozenset[str]]:
    """The route's path from the values it takes (as many as fit), and their names; the rest
    are the query's."""
    values = dict(items)
    for size in range(len(values), -1, -1):
        for names in combinations(values, size):
            try:
                path = app.url_path_for(name, **{key: values[key] for key in names})
            except NoMatchFound:
                continue
            return str(path), frozenset(names)
    raise NoMatchFound(name, values)


class PageTemplates(Jinja2Templates):
    """`Jinja2Templates` whose pages know the visitor (see the module's docstring)."""

    def TemplateResponse(  # Starlette's name
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> _TemplateResponse:
        page = {
            **signed_in_context(request),
            "csrf_token": partial(csrf_token, request),
            "get_flashed_messages": partial(get_flashed_messages, request),
            **(context or {}),
        }
        return super().TemplateResponse(
            request, name, page, status_code, headers, media_type, background
        )


def page_templates(
    directory: str | PathLike[str],
    *,
    context_processors: list[Callable[[Request], dict[str, Any]]] | None = None,
) -> PageTemplates:
    """The templates of the app's `directory`, then this package's. `context_processors` are
    Starlette's (also `templates.context_processors.append(...)` later): their values go
    into every page, over what the view passes, as Starlette's docs say."""
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(directory), jinja2.FileSystemLoader(KIT_TEMPLATES)]
    )
    # No check of the files on every render: the development server restarts on their changes.
    env = jinja2.Environment(
        loader=loader, autoescape=jinja2.select_autoescape(), auto_reload=False
    )
    env.globals.update(
        url_for=url_for, project_name=PROJECT_NAME, shown_claims=shown_claims, nav_links=[]
    )
    return PageTemplates(env=env, context_processors=context_processors)

"""What a new owner does with a bake on day one, with the framework's own idioms (used by
the first-day test under the production server and by the update test): a module of their
own (`messages.py`) registered in `create_app` with one line, a signed-in page with plain
`render_template` (FastAPI: `templates.TemplateResponse`, the user and a dependency of the
owner's own as parameters), a form that flashes and redirects, a context processor whose value
changes on every request, the `url_defaults` / `url_value_preprocessor` pattern for a `lang`
parameter (Flask and Quart: FastAPI has none), a log line (`app.logger.info`; FastAPI: the
module's logger), a receiver of `user_signed_in` that records each user once, and the context
processor's value shown on `home.html`."""

from __future__ import annotations

import textwrap
from pathlib import Path

FLASK_MODULE = '''
"""The owner's own pages."""

import itertools
import uuid
from pathlib import Path

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request
from flask import url_for

from logto_kit.web import current_user, login_required, user_signed_in

blueprint = Blueprint("messages", __name__)
USERS_FILE = Path(__file__).resolve().parents[1] / "instance" / "users.txt"


@blueprint.get("/messages")
@login_required
def messages() -> str:
    return render_template("messages.html", unread=3)


@blueprint.post("/messages/read")
@login_required
def mark_read() -> object:
    user = current_user() or {}
    current_app.logger.info("owner-log: %s read their messages", user["email"])
    flash(f"Marked read for {user['email']}", "success")
    return redirect(url_for("pages.home"))


def remember_user(app: Flask, user: dict) -> None:
    USERS_FILE.parent.mkdir(exist_ok=True)
    known = USERS_FILE.read_text().split() if USERS_FILE.exists() else []
    if user["sub"] not in known:
        with USERS_FILE.open("a") as file:
            file.write(user["sub"] + "\\n")


def register(app: Flask) -> None:
    app.register_blueprint(blueprint)
    user_signed_in.connect(remember_user)
    counter = itertools.count()

    @app.context_processor
    def fresh_values() -> dict:
        return {"fresh_value": f"{uuid.uuid4().hex}-{next(counter)}"}

    @app.url_value_preprocessor
    def pull_lang(endpoint, values) -> None:
        g.lang = request.args.get("lang")

    @app.url_defaults
    def add_lang(endpoint, values) -> None:
        if g.get("lang") and endpoint != "static":
            values.setdefault("lang", g.lang)
'''

QUART_MODULE = '''
"""The owner's own pages."""

import itertools
import uuid
from pathlib import Path

from quart import Blueprint, Quart, current_app, flash, g, redirect, render_template, request
from quart import url_for

from logto_kit.web import current_user, login_required, user_signed_in

blueprint = Blueprint("messages", __name__)
USERS_FILE = Path(__file__).resolve().parents[1] / "instance" / "users.txt"


@blueprint.get("/messages")
@login_required
async def messages() -> str:
    return await render_template("messages.html", unread=3)


@blueprint.post("/messages/read")
@login_required
async def mark_read() -> object:
    user = await current_user() or {}
    current_app.logger.info("owner-log: %s read their messages", user["email"])
    await flash(f"Marked read for {user['email']}", "success")
    return redirect(url_for("pages.home"))


async def remember_user(app: Quart, user: dict) -> None:
    USERS_FILE.parent.mkdir(exist_ok=True)
    known = USERS_FILE.read_text().split() if USERS_FILE.exists() else []
    if user["sub"] not in known:
        with USERS_FILE.open("a") as file:
            file.write(user["sub"] + "\\n")


def register(app: Quart) -> None:
    app.register_blueprint(blueprint)
    user_signed_in.connect(remember_user)
    counter = itertools.count()

    @app.context_processor
    async def fresh_values() -> dict:
        return {"fresh_value": f"{uuid.uuid4().hex}-{next(counter)}"}

    @app.url_value_preprocessor
    def pull_lang(endpoint, values) -> None:
        g.lang = request.args.get("lang")

    @app.url_defaults
    def add_lang(endpoint, values) -> None:
        if g.get("lang") and endpoint != "static":
            values.setdefault("lang", g.lang)
'''

FASTAPI_MODULE = '''
"""The owner's own pages."""

import itertools
import logging
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from logto_kit.web import CurrentUser, flash, user_signed_in

from .views import templates

router = APIRouter(include_in_schema=False)
logger = logging.getLogger(__name__)
USERS_FILE = Path(__file__).resolve().parents[1] / "instance" / "users.txt"


def unread_count(user: CurrentUser) -> int:
    """A dependency of the owner's own, built on the signed-in user."""
    return 3 if user["sub"] else 0


@router.get("/messages", name="messages.messages")
async def messages(
    request: Request, unread: Annotated[int, Depends(unread_count)]
) -> HTMLResponse:
    return templates.TemplateResponse(request, "messages.html", {"unread": unread})


@router.post("/messages/read", name="messages.mark_read")
async def mark_read(request: Request, user: CurrentUser) -> RedirectResponse:
    logger.info("owner-log: %s read their messages", user["email"])
    flash(request, f"Marked read for {user['email']}", "success")
    return RedirectResponse(request.url_for("pages.home"), status_code=303)


async def remember_user(app: FastAPI, user: dict) -> None:
    USERS_FILE.parent.mkdir(exist_ok=True)
    known = USERS_FILE.read_text().split() if USERS_FILE.exists() else []
    if user["sub"] not in known:
        with USERS_FILE.open("a") as file:
            file.write(user["sub"] + "\\n")


def register(app: FastAPI) -> None:
    app.include_router(router)
    user_signed_in.connect(remember_user)
    counter = itertools.count()

    def fresh_values(request: Request) -> dict:
        return {"fresh_value": f"{uuid.uuid4().hex}-{next(counter)}"}

    templates.context_processors.append(fresh_values)
'''

MESSAGES_TEMPLATE = """\
{% extends "base.html" %}
{% block content %}
  <h1>Messages for <span data-testid="owner-user">{{ user_name }}</span></h1>
  <p>{{ unread }} unread</p>
  <p data-testid="fresh">{{ fresh_value }}</p>
  <form method="post" action="{{ url_for('messages.mark_read') }}">
    <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
    <button type="submit">Mark all read</button>
  </form>
{% endblock %}
"""


def make_owner_edits(project: Path, package_name: str, framework: str) -> None:
    """What a new owner does on day one, with the framework's own idioms: a module of their
    own, its template, a line on `home.html`, and its registration in `create_app`."""
    package = project / package_name
    module = {"Flask": FLASK_MODULE, "Quart": QUART_MODULE, "FastAPI": FASTAPI_MODULE}[framework]
    (package / "messages.py").write_text(textwrap.dedent(module).lstrip(), encoding="utf-8")
    templates = package / "templates"
    (templates / "messages.html").write_text(MESSAGES_TEMPLATE, encoding="utf-8")
    home = templates / "home.html"
    home_html = home.read_text(encoding="utf-8")
    marker = "{% block content %}"
    assert marker in home_html
    home.write_text(
        home_html.replace(marker, marker + '\n  <p data-testid="fresh">{{ fresh_value }}</p>', 1),
        encoding="utf-8",
    )
    app_py = package / "app.py"
    source = app_py.read_text(encoding="utf-8")
    registered = {"FastAPI": "    app.include_router(views.router)\n"}.get(
        framework, "    app.register_blueprint(views.blueprint)\n"
    )
    assert registered in source
    source = source.replace(registered, registered + "    messages.register(app)\n", 1)
    source = source.replace("from . import views", "from . import messages, views", 1)
    app_py.write_text(source, encoding="utf-8")

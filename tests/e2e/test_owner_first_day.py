"""An owner's first day with a bake: the edits a new owner makes with their framework's own
idioms, served by the README's production command (2 workers) against the E2E IdP.

The owner adds a module of their own (`web/messages.py`) and one line to `create_app`: a
signed-in page with plain `render_template`, a form that flashes and redirects, a context
processor whose value changes on every request, Flask's documented `url_defaults` /
`url_value_preprocessor` pattern for a `lang` parameter, an `app.logger.info` line, and a
receiver of the sign-in signal that records each user once. They also show the context
processor's value on `home.html`. Every one must work as the framework's docs say: two users
never see each other's flash, values are fresh on every request, a POST without the form's
CSRF token is refused (403) while the same form with it passes, and the log line reaches the
server's output.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tests.support.baked_app import BakedApp, production_command
from tests.support.e2e_stack import idp_and_bake
from tests.support.http_user import HttpUser, Page, sign_in_at_idp
from tests.support.processes import free_port, running_process

pytestmark = pytest.mark.e2e

ACCOUNTS = {
    "alice": {"name": "Alice Example", "email": "alice@example.com"},
    "bob": {"name": "Bob Example", "email": "bob@example.com"},
}

FLASK_MODULE = '''
"""The owner's own pages."""

import itertools
import uuid
from pathlib import Path

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request
from flask import url_for

from ..auth.events import user_signed_in
from .signed_in import current_user, login_required

blueprint = Blueprint("messages", __name__)
USERS_FILE = Path(__file__).resolve().parents[2] / "instance" / "users.txt"


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

from ..auth.events import user_signed_in
from .signed_in import current_user, login_required

blueprint = Blueprint("messages", __name__)
USERS_FILE = Path(__file__).resolve().parents[2] / "instance" / "users.txt"


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


def make_owner_edits(app: BakedApp) -> None:
    """What a new owner does on day one, with the framework's own idioms."""
    package = app.project / app.package
    module = FLASK_MODULE if app.framework == "Flask" else QUART_MODULE
    (package / "web" / "messages.py").write_text(textwrap.dedent(module), encoding="utf-8")
    templates = package / "web" / "templates"
    (templates / "messages.html").write_text(MESSAGES_TEMPLATE, encoding="utf-8")
    home = templates / "home.html"
    home_html = home.read_text(encoding="utf-8")
    marker = "{% block content %}"
    assert marker in home_html
    home.write_text(
        home_html.replace(marker, marker + '\n  <p data-testid="fresh">{{ fresh_value }}</p>', 1),
        encoding="utf-8",
    )
    app_py = package / "web" / "app.py"
    source = app_py.read_text(encoding="utf-8")
    registered = "    register_security_headers(app, settings)\n"
    assert registered in source
    source = source.replace(registered, registered + "    messages.register(app)\n", 1)
    source = source.replace("from . import ", "from . import messages, ", 1)
    app_py.write_text(source, encoding="utf-8")


def fresh_value(page: Page) -> str:
    match = re.search(r'data-testid="fresh">([^<]+)<', page.body)
    assert match, f"no context-processor value on {page.url}:\n{page.body}"
    return match.group(1)


def flashes(page: Page) -> list[str]:
    return re.findall(r'<li class="flash [a-z]*">([^<]*)</li>', page.body)


def sign_in(user: HttpUser, url: str, login: str) -> None:
    landed = sign_in_at_idp(user, user.open(f"{url}/sign-in"), login)
    assert landed.url == f"{url}/" and landed.status == 200, (landed.status, landed.body)


@pytest.mark.parametrize("framework", ["Flask", "Quart"])
def test_an_owners_first_day_works_with_the_frameworks_own_idioms(
    framework: str, tmp_path: Path
) -> None:
    port = free_port()
    with idp_and_bake(
        tmp_path,
        framework=framework,
        backend="cookie",
        store="none",
        app_port=port,
        accounts=ACCOUNTS,
    ) as (idp, app):
        make_owner_edits(app)
        log_path = tmp_path / "server.log"
        with running_process(
            production_command(app),  # the README's: gunicorn, 2 workers
            cwd=app.project,
            env=None,
            log_path=log_path,
            ready_url=f"{app.base_url}/healthz",
        ):
            url = app.base_url
            alice, bob, stranger = HttpUser(), HttpUser(), HttpUser()

            # A signed-in page of the owner's, rendered with plain render_template.
            assert alice.open(f"{url}/messages").url.startswith(idp.endpoint)
            sign_in(alice, url, "alice")
            sign_in(bob, url, "bob")
            page = alice.open(f"{url}/messages")
            assert page.status == 200, page.body
            assert 'data-testid="owner-user">Alice Example<' in page.body
            assert "Sign out" in page.body and "Sign in" not in page.body  # the header knows

            # Context-processor values are fresh on every request, on the owner's page and home.
            seen = {fresh_value(alice.open(f"{url}/messages")) for _ in range(6)}
            seen |= {fresh_value(alice.open(f"{url}/")) for _ in range(6)}
            seen |= {fresh_value(stranger.open(f"{url}/")) for _ in range(6)}
            assert len(seen) == 18, seen

            # A POST without the form's token is refused; the form as served passes.
            refused = alice.request(f"{url}/messages/read", {"name": "x"})
            assert refused.status == 403, (refused.status, refused.body)
            forged = alice.request(f"{url}/messages/read", {"csrf_token": "forged"})
            assert forged.status == 403
            page = alice.open(f"{url}/messages")
            home = alice.submit(page, page.forms[-1])
            assert home.url == f"{url}/" and home.status == 200

            # The flash shows on the redirect's page, to its user only, once.
            assert flashes(home) == ["Marked read for alice@example.com"]
            for other in (bob, stranger):
                for _ in range(4):  # both workers
                    assert flashes(other.open(f"{url}/")) == []
            assert flashes(alice.open(f"{url}/")) == []  # shown once
            page = bob.open(f"{url}/messages")
            assert flashes(bob.submit(page, page.forms[-1])) == ["Marked read for bob@example.com"]

            # url_defaults / url_value_preprocessor: each request's own `lang`.
            for lang in ("de", "fr", "de"):
                page = alice.open(f"{url}/messages?lang={lang}")
                assert f'href="/profile?lang={lang}"' in page.body, page.body
                assert "lang=" + {"de": "fr", "fr": "de"}[lang] not in page.body
            assert 'href="/profile"' in alice.open(f"{url}/messages").body

            sign_in(HttpUser(), url, "alice")  # alice again, from another browser

        # The owner's log line reached the server's output; the sign-in hook ran once a user.
        log = log_path.read_text(encoding="utf-8")
        assert "owner-log: alice@example.com read their messages" in log, log
        assert "owner-log: bob@example.com read their messages" in log, log
        recorded = (app.project / "instance" / "users.txt").read_text().split()
        assert len(recorded) == 2 and len(set(recorded)) == 2, recorded

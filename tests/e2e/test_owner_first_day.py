"""An owner's first day with a bake: the edits a new owner makes with their framework's own
idioms, served by the README's production command against the E2E IdP.

The owner adds a module of their own (`web/messages.py`) and one line to `create_app`: a
signed-in page with plain `render_template`, a form that flashes and redirects, a context
processor whose value changes on every request, Flask's documented `url_defaults` /
`url_value_preprocessor` pattern for a `lang` parameter (FastAPI, which has none: a
dependency of the owner's own), a log line, and a
receiver of the sign-in signal that records each user once. They also show the context
processor's value on `home.html`. Every one must work as the framework's docs say: two users
never see each other's flash, values are fresh on every request, a POST without the form's
CSRF token is refused (403) while the same form with it passes, and the log line reaches the
server's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import production_command
from tests.support.e2e_stack import idp_and_bake
from tests.support.http_user import HttpUser, Page, sign_in_at_idp
from tests.support.owner_edits import make_owner_edits
from tests.support.processes import free_port, running_process

pytestmark = pytest.mark.e2e

ACCOUNTS = {
    "alice": {"name": "Alice Example", "email": "alice@example.com"},
    "bob": {"name": "Bob Example", "email": "bob@example.com"},
}


def fresh_value(page: Page) -> str:
    match = re.search(r'data-testid="fresh">([^<]+)<', page.body)
    assert match, f"no context-processor value on {page.url}:\n{page.body}"
    return match.group(1)


def flashes(page: Page) -> list[str]:
    return re.findall(r'<li class="flash [a-z]*">([^<]*)</li>', page.body)


def sign_in(user: HttpUser, url: str, login: str) -> None:
    landed = sign_in_at_idp(user, user.open(f"{url}/sign-in"), login)
    assert landed.url == f"{url}/" and landed.status == 200, (landed.status, landed.body)


@pytest.mark.parametrize("framework", FRAMEWORKS)
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
        make_owner_edits(app.project, app.package, app.framework)
        log_path = tmp_path / "server.log"
        with running_process(
            production_command(app),  # the README's: gunicorn, one threaded worker
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
                for _ in range(4):  # several requests, several threads
                    assert flashes(other.open(f"{url}/")) == []
            assert flashes(alice.open(f"{url}/")) == []  # shown once
            page = bob.open(f"{url}/messages")
            assert flashes(bob.submit(page, page.forms[-1])) == ["Marked read for bob@example.com"]

            # url_defaults / url_value_preprocessor: each request's own `lang` (an idiom of
            # Flask's and Quart's; FastAPI has no such hook).
            for lang in ("de", "fr", "de") if framework != "FastAPI" else ():
                page = alice.open(f"{url}/messages?lang={lang}")
                assert f'href="/profile?lang={lang}"' in page.body, page.body
                assert "lang=" + {"de": "fr", "fr": "de"}[lang] not in page.body
            assert 'href="/profile"' in alice.open(f"{url}/messages").body
            if framework == "FastAPI":  # the owner's own dependency ran for the signed-in user
                assert "<p>3 unread</p>" in alice.open(f"{url}/messages").body

            sign_in(HttpUser(), url, "alice")  # alice again, from another browser

        # The owner's log line reached the server's output; the sign-in hook ran once a user.
        log = log_path.read_text(encoding="utf-8")
        assert "owner-log: alice@example.com read their messages" in log, log
        assert "owner-log: bob@example.com read their messages" in log, log
        recorded = (app.project / "instance" / "users.txt").read_text().split()
        assert len(recorded) == 2 and len(set(recorded)) == 2, recorded

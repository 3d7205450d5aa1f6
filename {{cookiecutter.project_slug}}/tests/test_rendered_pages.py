"""A page that shows nothing but who is signed in is rendered once per sign-in, and again
when what it shows changes (another session, a renewed ID token, a sign-out)."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.web.rendered_pages import RenderedPages

from .fake_logto import FakeLogto, FakeUser
from .flows import callback_path, csrf_token_in, sign_in
from .page_client import PageClient
from .token_flows import sign_in_expired


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every page rendered and kept (one entry each)."""
    kept: list[object] = []
    original = RenderedPages.keep

    def keep(self: RenderedPages, key: object, html: str) -> None:
        kept.append(key)
        original(self, key, html)

    monkeypatch.setattr(RenderedPages, "keep", keep)
    return kept


def test_the_home_page_is_rendered_once_per_sign_in(
    client: PageClient, logto: FakeLogto, renders: list[object]
) -> None:
    sign_in(client, logto)
    pages = [client.get("/") for _ in range(3)]
    assert len(renders) == 1
    assert all(page.text == pages[0].text and "Alice Example" in page.text for page in pages)
    assert pages[0].headers["cache-control"] == "no-store"  # the headers are per response

    other = PageClient(client.app)  # another session: its own CSRF token, its own page
    started = other.get("/sign-in")
    path, query = callback_path(logto.authorize(started.location, FakeUser(name="Bob Example")))
    other.get(path, query)
    bob = other.get("/")
    assert "Bob Example" in bob.text and "Alice Example" not in bob.text
    assert csrf_token_in(bob) != csrf_token_in(pages[0])
    assert len(renders) == 2
    other.close()


def test_a_renewed_sign_in_renders_anew(
    client: PageClient, logto: FakeLogto, renders: list[object]
) -> None:
    sign_in_expired(client, logto)  # the next page renews the ID token
    assert "Alice Example" in client.get("/").text
    assert len(renders) == 1
    logto_requests = logto.request_count("/oidc/token")
    client.get("/")
    assert logto.request_count("/oidc/token") == logto_requests  # renewed once, then kept


def test_signing_out_shows_the_signed_out_page(client: PageClient, logto: FakeLogto) -> None:
    sign_in(client, logto)
    signed_in = client.get("/")
    client.post("/sign-out", {"csrf_token": csrf_token_in(signed_in)})
    home = client.get("/")
    assert "Alice Example" not in home.text and "Sign in" in home.text


def test_pages_with_more_context_and_reloaded_templates_are_not_kept(
    client: PageClient, logto: FakeLogto, renders: list[object]
) -> None:
    sign_in(client, logto)
    client.get("/profile")
    client.get("/no-such-page")
    assert renders == []  # the profile and the 404 page are rendered each time
    client.app.jinja_env.auto_reload = True  # the development server's templates
    client.get("/")
    client.get("/")
    assert len(client.app.extensions["rendered_pages"]) == 0

"""Security headers on every response, a policy the pages can live with, and strong keys."""

from __future__ import annotations

import dataclasses
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import logto_kit
from logto_kit.about import WEB_FRAMEWORK
from logto_kit.settings import Settings, SettingsError, load_settings
from logto_kit.web.security_headers import SecurityHeaders, security_headers

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import csrf_token_in, sign_in
from .page_client import PageClient
from .pages import Page
from .session_store import store_env

KIT = Path(logto_kit.__file__).parent  # the template's machinery
APP = Path(sys.modules[create_app.__module__].__file__ or "").parent  # the project's own app
TEMPLATES = {
    path.relative_to(root).as_posix(): path
    for root in (APP / "templates", KIT / "web" / "templates")
    for path in root.rglob("*.html")
}
HTTPS_BASE_URL = "https://app.example.com"
ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
GOOD_ENV = {
    "LOGTO_ENDPOINT": "https://tenant.logto.app",
    "LOGTO_APP_ID": "app-id-123",
    "LOGTO_APP_SECRET": "app-secret-456",
    "APP_BASE_URL": "http://localhost:3000",
    "LOGTO_API_RESOURCE": "https://api.test.example",  # read by projects with an API
    **store_env(Path("instance")),
}
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def csp_directives(page: Page) -> dict[str, list[str]]:
    policy = page.headers["content-security-policy"]
    directives = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        assert name not in directives, f"{name} appears twice in {policy!r}"
        directives[name] = sources
    return directives


def assert_secured(page: Page, settings: Settings) -> None:
    for name, value in ALWAYS.items():
        assert page.headers.get(name) == value, (name, page.status)
    directives = csp_directives(page)
    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'", settings.logto_endpoint],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    policy = page.headers["content-security-policy"]
    for loose in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"):
        assert loose not in policy.split(), loose


# --- headers on every kind of response ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/profile", 302),  # signed out: redirected to sign-in
        ("/sign-in", 302),  # redirected to Logto
        ("/sign-out", 302),  # signed out: back home
        ("/static/style.css", 200),
        ("/favicon.ico", 200),
        ("/no-such-page", 404),
        ("/sign-in/no-such-option", 404),
    ],
)
def test_signed_out_responses_carry_the_headers(
    client: PageClient, settings: Settings, path: str, status: int
) -> None:
    page = client.get(path)
    assert page.status == status
    assert_secured(page, settings)
    assert "strict-transport-security" not in page.headers  # APP_BASE_URL is http here
    if page.headers.get("content-type", "").startswith("text/html"):
        assert page.headers.get("cache-control") == "no-store", path


def test_error_pages_carry_the_headers(client: PageClient, settings: Settings) -> None:
    wrong_method = client.post("/")
    assert wrong_method.status == 405
    assert_secured(wrong_method, settings)
    no_token = client.post("/sign-out")
    assert no_token.status == 403
    assert_secured(no_token, settings)


def test_logto_unreachable_page_carries_the_headers(settings: Settings, logto: FakeLogto) -> None:
    logto.down = True  # before the app starts, so it has no cached discovery
    client = PageClient(create_app(settings))
    try:
        unavailable = client.get("/sign-in")
        assert unavailable.status == 503
        assert_secured(unavailable, settings)
    finally:
        client.close()


def test_signed_in_pages_and_sign_out_carry_the_headers(
    client: PageClient, logto: FakeLogto, settings: Settings
) -> None:
    assert_secured(sign_in(client, logto), settings)  # the callback's redirect
    for path in ("/", "/profile", "/sign-out"):
        page = client.get(path)
        assert page.status == 200, path
        assert_secured(page, settings)
        assert page.headers.get("cache-control") == "no-store", path  # shows the user
    token = csrf_token_in(client.get("/sign-out"))
    signed_out = client.post("/sign-out", {"csrf_token": token})
    assert signed_out.status == 302
    assert signed_out.location.startswith(settings.logto_endpoint)  # hence form-action
    assert_secured(signed_out, settings)


@pytest.fixture
def https_client(settings: Settings) -> Iterator[PageClient]:
    page_client = PageClient(create_app(dataclasses.replace(settings, app_base_url=HTTPS_BASE_URL)))
    yield page_client
    page_client.close()


def test_static_files_keep_their_own_caching(client: PageClient) -> None:
    stylesheet = client.get("/static/style.css")
    assert stylesheet.status == 200
    assert stylesheet.headers.get("cache-control") != "no-store"


@pytest.mark.parametrize("path", ["/", "/profile", "/no-such-page"])
def test_hsts_only_when_served_over_https(https_client: PageClient, path: str) -> None:
    page = https_client.get(path)
    assert page.headers["strict-transport-security"] == "max-age=31536000"
    assert page.headers["x-frame-options"] == "DENY"


def test_form_action_allows_exactly_this_app_and_logto(settings: Settings) -> None:
    endpoint = "https://auth.example.com"
    policy = security_headers(dataclasses.replace(settings, logto_endpoint=endpoint))[
        "Content-Security-Policy"
    ]
    assert f"form-action 'self' {endpoint};" in policy


class Headers(dict[str, str]):
    """A response's headers, as `SecurityHeaders` adds to them (`ResponseHeaders`)."""

    def add(self, key: str, value: Any, /, **kwargs: Any) -> None:
        self[key] = str(value)


def test_a_header_the_view_set_is_kept(settings: Settings) -> None:
    headers = Headers({"Content-Security-Policy": "default-src 'none'"})
    SecurityHeaders(settings).add_to(headers)
    assert headers["Content-Security-Policy"] == "default-src 'none'"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_core_imports_no_web_framework() -> None:
    """Only the framework layer (web/) and the framework's session interface
    (sessions/interface.py) may import the web framework or werkzeug; the sign-in flow (auth/),
    the stores and their locks (sessions/), the `logto` commands (admin/) and the settings know
    no web framework, and the sign-in flow is given the framework's and the store's parts
    instead of importing them."""
    framework = re.compile(rf"^\s*(from|import) ({WEB_FRAMEWORK.lower()}|werkzeug)\b", re.M)
    layers = re.compile(r"^\s*from \.\.(web|sessions|admin)\b", re.M)
    offenders = []
    for path in sorted(KIT.rglob("*.py")):
        where = path.relative_to(KIT)
        text = path.read_text(encoding="utf-8")
        framework_layer = where.parts[0] == "web" or where.as_posix() == "sessions/interface.py"
        if not framework_layer and framework.search(text):
            offenders.append(f"{where.as_posix()} imports a web framework")
        if where.parts[0] == "auth" and layers.search(text):
            offenders.append(f"{where.as_posix()} imports another layer")
    assert offenders == []


# --- pages the policy does not break ------------------------------------------------------

INLINE_CODE = re.compile(
    r"<script|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:|<iframe|<object|<embed|<base\b",
    re.IGNORECASE,
)


def test_the_kit_never_imports_the_app() -> None:
    """logto_kit is the template's machinery: the app imports it, never the other way, so
    template fixes to it never depend on the app's own code (and it could be a library)."""
    app_package = create_app.__module__.split(".")[0]
    imports_app = re.compile(rf"^\s*(from|import) {re.escape(app_package)}\b", re.M)
    offenders = [
        path.relative_to(KIT).as_posix()
        for path in sorted(KIT.rglob("*.py"))
        if imports_app.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_templates_hold_no_inline_script_or_style(template: str) -> None:
    text = TEMPLATES[template].read_text(encoding="utf-8")
    assert INLINE_CODE.findall(text) == []


def test_rendered_pages_load_only_same_origin_resources(
    client: PageClient, logto: FakeLogto
) -> None:
    pages = [client.get("/"), client.get("/no-such-page")]
    sign_in(client, logto)
    pages += [client.get("/"), client.get("/profile"), client.get("/sign-out")]
    for page in pages:
        assert INLINE_CODE.findall(page.text) == []
        for url in re.findall(r'\b(?:src|href)="([^"]*)"', page.text):
            assert url.startswith("/") and not url.startswith("//"), url
        for action in re.findall(r'\baction="([^"]*)"', page.text):
            assert action == "/sign-out", action


# --- SECRET_KEY strength --------------------------------------------------------------------


def load_with_key(secret_key: str) -> Settings:
    return load_settings({**GOOD_ENV, "SECRET_KEY": secret_key}, None)


@pytest.mark.parametrize(
    ("secret_key", "problem"),
    [
        ("k" * 40, "only 1 different characters"),
        ("ab" * 20, "only 2 different characters"),
        ("abc123" * 6, "only 6 different characters"),
        ("0123456789" * 4, "repeats the same 10 characters"),
        ("Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3", "repeats the same 12 characters"),
        ("please-changeme-before-deploying-it", "holds 'changeme'"),
        ("Change_Me_Before_Deploying_To_Production", "holds 'change_me'"),
        ("my-super-secret-key-for-production-2024", "holds 'secret-key'"),
        ("Password1234567890!Password-abcdefgh", "holds 'password'"),
        ("an-example-value-that-is-long-enough-1", "holds 'example'"),
        (GENERATE_HINT, "holds 'import secrets'"),
        ("secrets.token_urlsafe(48) goes in here!", "holds 'token_urlsafe'"),
        ("32+ random characters that sign the cookie", "holds 'random characters'"),
    ],
)
def test_weak_secret_key_is_refused_in_one_line(secret_key: str, problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_with_key(secret_key)
    message = str(caught.value)
    assert message.startswith("SECRET_KEY ")
    assert problem in message
    assert message.endswith(f"generate one with: {GENERATE_HINT}")
    assert "\n" not in message
    if secret_key != GENERATE_HINT:
        assert secret_key not in message  # a secret is never echoed


@pytest.mark.parametrize("secret_key", ["your-secret-key-" + "x" * 32, "changeme" * 5])
def test_placeholder_secret_key_is_refused(secret_key: str) -> None:
    with pytest.raises(SettingsError, match=r"^SECRET_KEY is still the placeholder"):
        load_with_key(secret_key)


def test_short_secret_key_says_how_long_it_must_be() -> None:
    with pytest.raises(SettingsError, match=r"^SECRET_KEY is too short \(31 characters, need 32"):
        load_with_key(secrets.token_urlsafe(48)[:31])


@pytest.mark.parametrize(
    "generate",
    [
        lambda: secrets.token_urlsafe(48),  # what the project's hook and hint generate
        lambda: secrets.token_urlsafe(24),  # exactly 32 characters
        lambda: secrets.token_hex(32),
    ],
    ids=["token_urlsafe(48)", "token_urlsafe(24)", "token_hex(32)"],
)
def test_random_secret_keys_are_accepted(generate: Callable[[], str]) -> None:
    for _ in range(500):
        key = generate()
        assert load_with_key(key).secret_key == key

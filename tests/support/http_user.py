"""A browser-less user for end-to-end tests: plain HTTP over urllib with its own cookie jar.

Each `HttpUser` keeps its own `http.cookiejar.CookieJar` and its own opener, so many users
can run in parallel threads without sharing cookies. The app instances and the IdP all
listen on 127.0.0.1, and cookies are scoped by host, not port: one user's jar sends the
app's session cookie to every instance (as a browser would), and never to another user.

Redirects are followed by hand (so every hop is recorded and bounded), forms are read with
`html.parser`, and every request has a timeout.

Example::

    user = HttpUser()
    page = user.open(f"{app_url}/sign-in")       # app -> IdP login form
    page = sign_in_at_idp(user, page, "alice")   # login + consent -> back in the app
    assert page.url == f"{app_url}/"
"""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_TIMEOUT = 15.0
MAX_HOPS = 10


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    """Every named <input> with its value ("" when it has none)."""
    hidden: dict[str, str] = field(default_factory=dict)
    """The `type="hidden"` ones among `fields`."""


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get").lower()))
        elif tag == "input" and self.forms and "name" in values:
            self.forms[-1].fields[values["name"]] = values.get("value", "")
            if values.get("type") == "hidden":
                self.forms[-1].hidden[values["name"]] = values.get("value", "")


@dataclass
class Page:
    """The last response of a request and its redirects."""

    url: str
    status: int
    body: str
    location: str | None = None
    """The Location header of a redirect."""
    history: list[tuple[int, str]] = field(default_factory=list)
    """(status, url) of every redirect on the way, oldest first."""

    @property
    def forms(self) -> list[Form]:
        parser = _FormParser()
        parser.feed(self.body)
        parser.close()
        return parser.forms

    def only_form(self) -> Form:
        forms = self.forms
        if len(forms) != 1:
            raise AssertionError(f"expected one form at {self.url} ({self.status}):\n{self.body}")
        return forms[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class HttpUser:
    """One user agent: its own cookie jar and opener; redirects followed by hand."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.timeout = timeout
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # loopback only, whatever the environment says
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect(),
        )

    def request(self, url: str, data: dict[str, str] | None = None) -> Page:
        """One GET (or form POST of `data`), no redirect followed."""
        body = None if data is None else urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body, method="GET" if data is None else "POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return Page(url, response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            with error:
                text = error.read().decode("utf-8", "replace")
                return Page(url, error.code, text, error.headers.get("Location"))

    def open(
        self, url: str, data: dict[str, str] | None = None, *, max_hops: int = MAX_HOPS
    ) -> Page:
        """GET `url` (or POST `data` to it) and follow redirects (as GETs); return the final
        page, with the redirects it took in `history`."""
        history: list[tuple[int, str]] = []
        for _ in range(max_hops):
            page = self.request(url, data)
            if page.status not in REDIRECT_STATUSES:
                page.history = history
                return page
            if not page.location:
                raise AssertionError(f"{page.status} without a Location header from {url}")
            history.append((page.status, url))
            url = urllib.parse.urljoin(url, page.location)
            data = None  # 302/303 turn a POST into a GET; nothing here answers 307/308
        raise AssertionError(f"more than {max_hops} redirects, last to {url}")

    def send_json(self, method: str, url: str, body: Any = None) -> Any:
        """A JSON API call with this user's cookies, as a page's script makes one; returns the
        decoded answer (None when empty) and fails on an error status."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            with error:
                text = error.read().decode("utf-8", "replace")[:300]
            raise AssertionError(f"{method} {url}: HTTP {error.code}: {text}") from None
        return json.loads(raw) if raw else None

    def submit(self, page: Page, form: Form, **values: str) -> Page:
        """Submit `form` of `page` with its fields, overridden by `values`."""
        if form.method != "post":
            raise AssertionError(f"expected a POST form at {page.url}, got {form.method}")
        return self.open(urllib.parse.urljoin(page.url, form.action), {**form.fields, **values})

    def cookie_names(self) -> list[str]:
        return sorted(cookie.name for cookie in self.jar)


def sign_in_at_idp(user: HttpUser, page: Page, login: str, password: str = "any") -> Page:
    """On the local IdP's dev login page (tests/e2e/idp/server.mjs): log in as `login`,
    consent, and follow the redirects back into the app; return the app's page."""
    if page.status != 200:
        raise AssertionError(f"expected the IdP login page, got {page.status} at {page.url}")
    form = page.only_form()
    if form.hidden.get("prompt") != "login" or "login" not in form.fields:
        raise AssertionError(f"not the IdP login form at {page.url}: {form}")
    page = user.submit(page, form, login=login, password=password)

    if page.status != 200:
        raise AssertionError(f"expected the IdP consent page, got {page.status} at {page.url}")
    form = page.only_form()
    if form.fields != {"prompt": "consent"}:
        raise AssertionError(f"not the IdP consent form at {page.url}: {form}")
    return user.submit(page, form)

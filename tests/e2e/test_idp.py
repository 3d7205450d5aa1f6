"""The local IdP (tests/e2e/idp/server.mjs) behaves like Logto for the Logto Python SDK.

No browser: a small cookie-jar "browser" over urllib walks the dev login form, and the
real `logto.LogtoClient` builds the URLs and handles the callback.
"""

from __future__ import annotations

import asyncio
import base64
import http.cookiejar
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from logto import LogtoClient, LogtoConfig, LogtoException, Storage
from logto.models.oidc import UserInfoScope

from tests.support import oidc_idp
from tests.support.oidc_idp import IDP_DIR, Idp, running_idp
from tests.support.processes import free_port, running_process

APP = "http://127.0.0.1:9"  # never contacted: the browser stops at redirects to it
CLIENT = {
    "client_id": "test-app",
    "client_secret": "test-app-secret",
    "redirect_uris": [f"{APP}/callback"],
    "post_logout_redirect_uris": [f"{APP}/"],
}
ACCOUNTS = {"alice": {"name": "Alice Example", "email": "alice@example.com"}}
REDIRECT_URI = f"{APP}/callback"
POST_LOGOUT_URI = f"{APP}/"


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory):
    with running_idp(tmp_path_factory.mktemp("idp"), [CLIENT], ACCOUNTS) as running:
        yield running


# --- a minimal browser -------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # every named <input>
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.buttons: list[str] = []  # every <button>, in a form or not
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            )
        elif tag == "input" and self.forms and "name" in a:
            self.forms[-1].fields[a["name"]] = a.get("value", "")
            if a.get("type") == "hidden":
                self.forms[-1].hidden[a["name"]] = a.get("value", "")
        elif tag == "button":
            self.buttons.append(a.get("type", "submit"))
            if self.forms:
                self.forms[-1].buttons.append(a.get("type", "submit"))
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


@dataclass
class Page:
    url: str
    status: int
    body: str
    parsed: _FormParser

    @property
    def forms(self) -> list[Form]:
        return self.parsed.forms

    def form(self) -> Form:
        assert len(self.forms) == 1, f"expected one form at {self.url}:\n{self.body}"
        return self.forms[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Keeps cookies, follows redirects by hand and stops at the app's URLs."""

    def __init__(self, stop_prefix: str = f"{APP}/") -> None:
        self.jar = http.cookiejar.CookieJar()
        self.stop_prefix = stop_prefix
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect(),
        )

    def _send(
        self, url: str, data: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = None if data is None else urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(url, data=body, method="GET" if data is None else "POST")
        try:
            with self._opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, dict(err.headers), err.read().decode()

    def open(
        self, url: str, data: dict[str, str] | None = None, *, max_hops: int = 10
    ) -> Page | str:
        """GET (or POST `data` to) `url` and follow redirects. Returns the URL as a
        string when a redirect points into the app, else the final page."""
        for _ in range(max_hops):
            if url.startswith(self.stop_prefix):
                return url
            status, headers, body = self._send(url, data)
            if status in (301, 302, 303, 307, 308):
                url = urllib.parse.urljoin(url, headers["Location"])
                data = None  # all redirects used here are 303 See Other (or GET anyway)
                continue
            parser = _FormParser()
            parser.feed(body)
            return Page(url=url, status=status, body=body, parsed=parser)
        raise AssertionError(f"too many redirects, last {url}")

    def submit(self, page: Page, form: Form, **values: str) -> Page | str:
        assert form.method == "post"
        return self.open(urllib.parse.urljoin(page.url, form.action), {**form.fields, **values})


def assert_login_page(page: Page | str) -> Form:
    assert isinstance(page, Page), f"expected the login form, got a redirect to {page}"
    assert page.status == 200, page.body
    form = page.form()
    assert form.hidden == {"prompt": "login"}, form
    assert {"login", "password"} <= set(form.fields), form
    return form


def assert_consent_page(page: Page | str) -> Form:
    assert isinstance(page, Page), f"expected the consent form, got a redirect to {page}"
    assert page.status == 200, page.body
    form = page.form()
    assert form.fields == {"prompt": "consent"}, form
    assert "Continue" in page.body
    return form


# --- SDK helpers -----------------------------------------------------------------------


class DictStorage(Storage):
    def __init__(self) -> None:
        self.data: dict[str, str | None] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str | None) -> None:
        self.data[key] = value

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


def sdk_client(idp: Idp, storage: Storage) -> LogtoClient:
    return LogtoClient(
        LogtoConfig(
            endpoint=idp.endpoint,
            appId=CLIENT["client_id"],
            appSecret=CLIENT["client_secret"],
            scopes=[UserInfoScope.email],
        ),
        storage,
    )


def jwt_header(token: str) -> dict:
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))


def fetch_json(url: str) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return json.load(response)


async def sign_in(client: LogtoClient, browser: Browser, login: str = "alice") -> str:
    """Run the whole front-channel part; returns the callback URL (code + state)."""
    page = browser.open(await client.signIn(REDIRECT_URI, interactionMode="signIn"))
    login_form = assert_login_page(page)
    page = browser.submit(page, login_form, login=login, password="any password")
    consent_form = assert_consent_page(page)
    callback = browser.submit(page, consent_form)
    assert isinstance(callback, str), f"expected a redirect to the app, got:\n{callback.body}"
    return callback


# --- tests -----------------------------------------------------------------------------


def test_discovery_and_jwks_look_like_logto(idp: Idp) -> None:
    assert idp.endpoint == f"http://127.0.0.1:{idp.port}"
    metadata = fetch_json(f"{idp.endpoint}/oidc/.well-known/openid-configuration")

    assert metadata["issuer"] == f"{idp.endpoint}/oidc" == idp.issuer
    assert metadata["authorization_endpoint"] == f"{idp.endpoint}/oidc/auth"
    assert metadata["token_endpoint"] == f"{idp.endpoint}/oidc/token"
    assert metadata["userinfo_endpoint"] == f"{idp.endpoint}/oidc/me"
    assert metadata["jwks_uri"] == f"{idp.endpoint}/oidc/jwks"
    assert metadata["end_session_endpoint"] == f"{idp.endpoint}/oidc/session/end"
    for key, value in metadata.items():
        if key.endswith(("_endpoint", "_uri")):
            assert value.startswith(f"{idp.endpoint}/oidc/"), (key, value)
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert "ES384" in metadata["id_token_signing_alg_values_supported"]
    assert "client_secret_post" in metadata["token_endpoint_auth_methods_supported"]
    assert {"openid", "offline_access", "profile", "email"} <= set(metadata["scopes_supported"])

    keys = fetch_json(metadata["jwks_uri"])["keys"]
    assert len(keys) == 1
    (key,) = keys
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == (
        "EC",
        "P-384",
        "ES384",
        "sig",
    )
    assert key["kid"]
    assert "d" not in key  # public part only


def test_sdk_sign_in_userinfo_refresh_and_sign_out(idp: Idp) -> None:
    async def flow() -> None:
        storage = DictStorage()
        client = sdk_client(idp, storage)
        browser = Browser()

        callback = await sign_in(client, browser)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(callback).query)
        assert callback.startswith(REDIRECT_URI + "?")
        assert {"code", "state"} <= set(query)
        assert query["iss"] == [idp.issuer]

        await client.handleSignInCallback(callback)  # PKCE token exchange + ES384 check
        assert client.isAuthenticated()
        id_token = client.getIdToken()
        assert jwt_header(id_token)["alg"] == "ES384"
        claims = client.getIdTokenClaims()
        assert claims.iss == idp.issuer
        assert claims.aud == CLIENT["client_id"]
        assert claims.sub == "alice"
        assert claims.name == "Alice Example"
        assert claims.username == "alice"
        assert claims.email == "alice@example.com"
        assert claims.email_verified is True

        userinfo = await client.fetchUserInfo()
        assert userinfo.sub == "alice"
        assert userinfo.name == "Alice Example"
        assert userinfo.username == "alice"
        assert userinfo.email == "alice@example.com"

        refresh_token = client.getRefreshToken()
        assert refresh_token
        first_access_token = await client.getAccessToken()
        token_requests = idp.request_counts()["token"]
        storage.delete("accessTokenMap")  # force the SDK to use the refresh token
        refreshed = await client.getAccessToken()
        assert refreshed and refreshed != first_access_token
        assert idp.request_counts()["token"] == token_requests + 1
        assert client.getRefreshToken() == refresh_token  # not rotated by default

        # While the IdP session lives, a new authorization skips the login form.
        page = browser.open(await sdk_client(idp, DictStorage()).signIn(REDIRECT_URI))
        assert_consent_page(page)

        # Sign out: no page to click through, ends at the post-logout URI.
        sign_out_url = await client.signOut(POST_LOGOUT_URI)
        assert sign_out_url.startswith(f"{idp.endpoint}/oidc/session/end?")
        page = browser.open(sign_out_url)
        assert isinstance(page, Page) and page.status == 200, page
        assert page.parsed.buttons == []  # nothing for a person to click
        assert any(".submit()" in script for script in page.parsed.scripts)
        (form,) = page.forms
        assert form.hidden.get("logout") == "yes"
        # What the page's script does in a browser:
        assert browser.submit(page, form) == POST_LOGOUT_URI
        assert not client.isAuthenticated()

        # The IdP session is really gone: the login form is back.
        page = browser.open(await sdk_client(idp, DictStorage()).signIn(REDIRECT_URI))
        assert_login_page(page)

    asyncio.run(flow())
    counts = idp.request_counts()
    assert counts["token"] >= 2
    assert counts["userinfo"] == 1
    assert counts["jwks"] >= 1
    assert counts["discovery"] >= 1
    assert counts["end_session"] == 1


def test_refresh_tokens_rotate_when_configured(tmp_path: Path) -> None:
    async def flow(idp: Idp) -> None:
        storage = DictStorage()
        client = sdk_client(idp, storage)
        await client.handleSignInCallback(await sign_in(client, Browser()))
        first = client.getRefreshToken()
        assert first
        storage.delete("accessTokenMap")
        assert await client.getAccessToken()
        second = client.getRefreshToken()
        assert second and second != first
        assert idp.request_counts()["grant_errors"] == 0

        # The used token again, as a second instance racing the first would send it: the
        # IdP refuses it and, as Logto does, revokes the sign-in (the newer token too).
        storage.set("refreshToken", first)
        storage.delete("accessTokenMap")
        with pytest.raises(LogtoException):
            await client.getAccessToken()
        storage.set("refreshToken", second)
        storage.delete("accessTokenMap")
        with pytest.raises(LogtoException):
            await client.getAccessToken()
        assert idp.request_counts()["grant_errors"] == 2

    with running_idp(
        tmp_path, [CLIENT], ACCOUNTS, rotate_refresh_tokens=True, access_token_ttl=120
    ) as idp:
        asyncio.run(flow(idp))


def test_authorization_requests_are_recorded(idp: Idp) -> None:
    async def build_url() -> str:
        return await sdk_client(idp, DictStorage()).signIn(REDIRECT_URI, interactionMode="signUp")

    url = asyncio.run(build_url())
    before = len(idp.authorization_requests())
    page = Browser().open(url)
    assert_login_page(page)

    recorded = idp.authorization_requests()
    assert len(recorded) == before + 1
    params = recorded[-1]
    assert params == {
        k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(url).query).items()
    }
    assert params["interaction_mode"] == "signUp"
    assert params["prompt"] == "consent"
    assert params["code_challenge_method"] == "S256"
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT["client_id"]
    assert params["redirect_uri"] == REDIRECT_URI
    assert set(params["scope"].split()) == {
        "openid",
        "offline_access",
        "profile",
        "email",
    }


def test_missing_node_modules_fails_with_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oidc_idp, "IDP_DIR", tmp_path / "idp")
    with (
        pytest.raises(pytest.fail.Exception, match=r"npm ci --prefix tests/e2e/idp"),
        running_idp(tmp_path, [CLIENT], ACCOUNTS),
    ):
        pass  # pragma: no cover


def test_idp_startup_error_fails_with_its_log(tmp_path: Path) -> None:
    node = oidc_idp.check_idp_installed()
    env = {k: v for k, v in os.environ.items() if k != "IDP_CONFIG"}
    with (
        pytest.raises(pytest.fail.Exception) as failure,
        running_process(
            [node, "server.mjs"],
            cwd=IDP_DIR,
            env=env,
            log_path=tmp_path / "idp.log",
            ready_url=f"http://127.0.0.1:{free_port()}/oidc/.well-known/openid-configuration",
            timeout=10,
        ),
    ):
        pass  # pragma: no cover
    message = str(failure.value)
    assert "exited with code 2" in message
    assert "IDP_CONFIG must be a JSON string" in message

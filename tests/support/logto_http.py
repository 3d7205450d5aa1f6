"""A real Logto over plain HTTP, for tests that need a signed-in user but no browser.

`sign_in_with_password` does what Logto's own sign-in page (its experience app) does in a
browser: the Experience API (`PUT /api/experience`, a password verification, identification,
submit) with the browser's cookies, then Logto's redirects back to the app. `OAuthClient`
makes an OAuth client's back-channel requests (token, revocation, userinfo) and returns
every answer, refusals included.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from .http_user import MAX_HOPS, HttpUser, Page

#: Scopes of an app's sign-in (the SDK's own), so Logto issues a refresh token.
SCOPES = "openid offline_access profile"


def sign_in_with_password(
    user: HttpUser, sign_in_page: Page, endpoint: str, username: str, password: str
) -> Page:
    """On Logto's sign-in page (`sign_in_page`, reached through an authorization request, so
    `user`'s jar holds Logto's interaction cookie): sign in as `username` and follow Logto's
    redirects back to the app; returns the app's page."""
    return user.open(submit_password(user, sign_in_page, endpoint, username, password))


def submit_password(
    user: HttpUser, sign_in_page: Page, endpoint: str, username: str, password: str
) -> str:
    """What Logto's sign-in page does with a username and password; returns the URL Logto
    then sends the browser to (on its way back to the app)."""
    if not sign_in_page.url.startswith(f"{endpoint}/sign-in") or sign_in_page.status != 200:
        raise AssertionError(f"not Logto's sign-in page: {sign_in_page.url}")
    experience = f"{endpoint}/api/experience"
    user.send_json("PUT", experience, {"interactionEvent": "SignIn"})
    identifier = {"type": "username", "value": username}
    verification = user.send_json(
        "POST",
        f"{experience}/verification/password",
        {"identifier": identifier, "password": password},
    )
    user.send_json(
        "POST", f"{experience}/identification", {"verificationId": verification["verificationId"]}
    )
    return str(user.send_json("POST", f"{experience}/submit")["redirectTo"])


def redirected_to(user: HttpUser, url: str, prefix: str) -> str:
    """Follow redirects from `url` until one goes to a URL starting with `prefix` (not
    requested: nothing may listen there); returns that URL."""
    for _ in range(MAX_HOPS):
        if url.startswith(prefix):
            return url
        page = user.request(url)
        if not page.location:
            raise AssertionError(f"no redirect to {prefix} from {url} (HTTP {page.status})")
        url = urllib.parse.urljoin(url, page.location)
    raise AssertionError(f"more than {MAX_HOPS} redirects, last to {url}")


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the decoded JSON, or the text when it is not JSON

    @property
    def error(self) -> str:
        return str(self.body.get("error", "")) if isinstance(self.body, dict) else ""


@dataclass(frozen=True)
class OAuthClient:
    """A confidential client of the IdP at `issuer` (Logto's `{endpoint}/oidc`)."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str

    def authorization(self) -> tuple[str, str]:
        """An authorization URL with PKCE, and its code verifier."""
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        query = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": SCOPES,
            "prompt": "consent",
            "state": secrets.token_urlsafe(8),
            "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
        return f"{self.issuer}/auth?{urllib.parse.urlencode(query)}", verifier

    def tokens_for(self, callback_url: str, verifier: str) -> dict[str, Any]:
        """The token endpoint's answer to the code of `callback_url`."""
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(callback_url).query)["code"][0]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
        }
        answer = self.token(form)
        assert answer.status == 200, answer
        tokens: dict[str, Any] = answer.body
        return tokens

    def credentials(self) -> dict[str, str]:
        """client_secret_post: how the Logto SDK (and the app) authenticates."""
        return {"client_id": self.client_id, "client_secret": self.client_secret}

    def token(self, form: dict[str, str]) -> Answer:
        return self.post("/token", {**form, **self.credentials()})

    def refresh(self, refresh_token: str) -> Answer:
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def post(self, path: str, form: dict[str, str], basic: bool = False) -> Answer:
        """POST `form` to `issuer + path`; `basic` authenticates with HTTP Basic instead."""
        headers = {}
        if basic:
            pair = ":".join(
                urllib.parse.quote(v, safe="") for v in (self.client_id, self.client_secret)
            )
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        data = urllib.parse.urlencode(form).encode()
        return send(urllib.request.Request(self.issuer + path, data, headers, method="POST"))

    def userinfo(self, access_token: str) -> Answer:
        headers = {"Authorization": f"Bearer {access_token}"}
        return send(urllib.request.Request(f"{self.issuer}/me", headers=headers))


def send(request: urllib.request.Request) -> Answer:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    try:
        with opener.open(request, timeout=15) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            status, raw = error.code, error.read()
    text = raw.decode("utf-8", "replace")
    try:
        return Answer(status, json.loads(text))
    except ValueError:
        return Answer(status, text)

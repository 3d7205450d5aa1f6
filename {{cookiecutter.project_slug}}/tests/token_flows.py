"""Steps for the token-lifecycle tests: a sign-in whose ID token has already expired."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from types import ModuleType, SimpleNamespace

import pytest

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient

#: An ID token lifetime that makes it expired when issued (the SDK, allowing 30 s of clock
#: skew, still accepts it at sign-in).
EXPIRED_TTL = -20
VALID_TTL = 3600


def sign_in_expired(client: PageClient, logto: FakeLogto) -> None:
    """Sign in with an ID token that has expired already; Logto's next ones are valid."""
    logto.id_token_ttl = EXPIRED_TTL
    callback = sign_in(client, logto)
    assert callback.status == 302, callback.text
    logto.id_token_ttl = VALID_TTL


def idp_calls(logto: FakeLogto) -> int:
    """How many requests reached Logto's back-channel endpoints so far."""
    paths = ("/oidc/token", "/oidc/me", "/oidc/jwks", "/oidc/.well-known/openid-configuration")
    return sum(logto.request_count(path) for path in paths)


def refresh_elsewhere(logto: FakeLogto, refresh_token: str) -> dict[str, object]:
    """Use `refresh_token` outside the app (as a thief would), so the app's next use of it is
    a reuse; returns Logto's answer."""
    status, answer = refresh_grant(logto, refresh_token)
    assert status == 200, answer
    return answer


def refresh_grant(logto: FakeLogto, refresh_token: str) -> tuple[int, dict[str, object]]:
    """Logto's answer to a refresh grant with `refresh_token` made outside the app, with the
    app's credentials (as a copy of the session would be used): (status, JSON body)."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": logto.client_id,
        "client_secret": logto.client_secret,
    }
    request = urllib.request.Request(
        f"{logto.issuer}/token", data=urllib.parse.urlencode(form).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def an_hour_later(monkeypatch: pytest.MonkeyPatch, *modules: ModuleType) -> None:
    """Move the clock of `modules` (the app's ID token expiry and its refresh outcomes) past
    the renewed tokens' lifetime; Logto and PyJWT keep the real time."""
    real_time = time.time
    clock = SimpleNamespace(time=lambda: real_time() + VALID_TTL)
    for module in modules:
        monkeypatch.setattr(module, "time", clock)

"""Sign-out against the real Logto: a copy of the session taken before sign-out cannot renew
itself afterwards.

Each framework's bake (cookie sessions, the default), set up by its own `logto provision` and
served by the README's production command: a user signs in over HTTP as Logto's sign-in page
does (its Experience API), a copy of their session cookie is taken, and they sign out through
the app's form and Logto's end-session page. Then the copy's refresh token is refused by
Logto's token endpoint (`invalid_grant`), and the copied cookie shows the user only until its
ID token expires: the next page signs it out. Logto's end-session alone leaves the refresh
token valid (measured against Logto 1.37.1): this holds because the app's sign-out revokes it.
"""

from __future__ import annotations

import copy
import time
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.http_user import HttpUser, Page
from tests.support.logto_bake import bake_against, env_values, provisioned
from tests.support.logto_http import OAuthClient, sign_in_with_password
from tests.support.processes import free_port
from tests.support.real_logto import LogtoInstance, LogtoTenant

from .test_browser_with_logto import APP_EXPIRY_MARGIN, PASSWORD, set_id_token_ttl

#: Fresh this long after it is issued: time to sign in, copy the session and sign out.
FRESH_SECONDS = 10
ID_TOKEN_TTL = APP_EXPIRY_MARGIN + FRESH_SECONDS
#: The SDK's values in the session (session_storage.py).
REFRESH_TOKEN_KEY, ID_TOKEN_KEY = "logto.refreshToken", "logto.idToken"


def session_cookie(user: HttpUser) -> Cookie:
    (cookie,) = [cookie for cookie in user.jar if cookie.name == "session"]
    return cookie


def session_of(cookie: Cookie, secret_key: str) -> dict[str, Any]:
    """What a signed-cookie session holds (both frameworks sign it as Flask does)."""
    app = Flask(__name__)
    app.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None and cookie.value is not None
    data: dict[str, Any] = serializer.loads(cookie.value)
    return data


def shows(page: Page, name: str) -> bool:
    return page.status == 200 and name in page.body and "Sign out" in page.body


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_copied_session_cannot_renew_after_sign_out(
    framework: str, logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path
) -> None:
    username, name = f"leaver_{framework.lower()}", f"Leaver of {framework}"
    tenant.create_user(username, PASSWORD, name=name)
    app = provisioned(bake_against(tmp_path, logto, framework=framework, port=free_port()))
    values = env_values(app)
    set_id_token_ttl(tenant, values["LOGTO_APP_ID"], ID_TOKEN_TTL)
    client = OAuthClient(
        logto.issuer, values["LOGTO_APP_ID"], values["LOGTO_APP_SECRET"], f"{app.base_url}/callback"
    )

    with running_app(app, tmp_path) as app_url:
        user = HttpUser()
        home = sign_in_with_password(
            user, user.open(f"{app_url}/sign-in"), logto.endpoint, username, PASSWORD
        )
        assert home.url == f"{app_url}/" and shows(home, name), (home.url, home.body[:300])
        copied = copy.copy(session_cookie(user))  # as malware would take it
        stored = session_of(copied, values["SECRET_KEY"])
        refresh_token = stored[REFRESH_TOKEN_KEY]
        fresh_until = (
            jwt.decode(stored[ID_TOKEN_KEY], options={"verify_signature": False})["exp"]
            - APP_EXPIRY_MARGIN
        )  # when the app counts the copy's ID token as expired

        # Sign out as a browser does: the app's form, then Logto's end-session page (which
        # submits its own form on load), back on the app's home page.
        (sign_out,) = [form for form in home.forms if form.action.endswith("/sign-out")]
        logout_page = user.submit(home, sign_out)
        assert logout_page.url.startswith(f"{logto.issuer}/session/end"), logout_page.url
        back = user.submit(logout_page, logout_page.only_form(), logout="yes")
        assert back.url == f"{app_url}/" and not shows(back, name), back.url

        # Logto refuses the copy's refresh token: the app revoked it.
        refused = client.refresh(refresh_token)
        assert (refused.status, refused.error) == (400, "invalid_grant"), refused

        # The copied cookie still shows the user while its ID token is valid (the limit the
        # README states), and not once it has expired: its renewal is refused.
        thief = HttpUser()
        thief.jar.set_cookie(copied)
        still = thief.request(f"{app_url}/")
        assert time.time() < fresh_until, (
            f"signing out took longer than FRESH_SECONDS={FRESH_SECONDS}: the copy's ID token "
            "expired before it could be shown"
        )
        assert shows(still, name), still.body[:300]
        time.sleep(max(0.0, fresh_until + 1 - time.time()))
        expired = thief.request(f"{app_url}/")
        assert expired.status == 200 and not shows(expired, name), expired.body[:300]
        assert 'href="/sign-in"' in expired.body
        assert not shows(thief.request(f"{app_url}/profile"), name)

"""Back-channel logout against the real Logto, in real Chromium: each framework's bake (Redis
sessions), set up by its own `logto provision`, signs a user in; the user then signs out of
another app of the same Logto session (Logto's end-session endpoint, as that app would send
them), and Logto POSTs its logout token to the bake: the bake's next page shows the user
signed out. The token is captured on its way (a recording proxy in front of the bake's
back-channel URI); sent again, and forged, it changes nothing.

What Logto 1.37.1 does, checked here: its logout page auto-submits `logout=yes`, and the
end-session request POSTs a logout token (ES384, `typ: logout+jwt`; iss, aud, iat, jti, sub,
sid, events; no exp, no nonce) to every app of the session that has a back-channel logout
URI, http://127.0.0.1 included, before it answers (oidc-provider's `endSession`); the app's
own sign-out gets one too.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import Page, expect

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.logto_bake import bake_against, env_values, logto_command, provisioned
from tests.support.processes import free_port
from tests.support.real_logto import LogtoInstance, LogtoTenant
from tests.support.stores import running_store

from .test_browser_with_logto import PASSWORD, shown_claims, sign_in_from_home

pytestmark = pytest.mark.e2e

ANSWERS = {"session_backend": "redis", "use_backchannel_logout": True}
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
DELIVERY_SECONDS = 10  # a bound: Logto posts before its end-session request answers


@dataclass
class Delivery:
    form: dict[str, str]
    status: int  # the bake's answer
    body: str


@dataclass
class Recorder:
    """A proxy in front of the bake's back-channel logout URI that keeps what Logto sends;
    its other paths answer 200 (the other app's redirect URIs)."""

    app_url: str
    deliveries: list[Delivery] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""


@contextlib.contextmanager
def recording_proxy(app_url: str) -> Iterator[Recorder]:
    recorder = Recorder(app_url)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = urllib.request.Request(
                recorder.app_url + self.path,
                data=raw,
                headers={"Content-Type": self.headers.get("Content-Type", "")},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, body = response.status, response.read()
            except urllib.error.HTTPError as error:
                status, body = error.code, error.read()
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            recorder.deliveries.append(Delivery(form, status, body.decode()))
            recorder.arrived.set()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            body = b"<h1>Other app</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


def other_app(tenant: LogtoTenant, recorder: Recorder) -> str:
    """Another Traditional web app of the tenant, whose pages are the recorder's."""
    created = tenant.call(
        "POST",
        "/api/applications",
        {
            "name": "Another app",
            "type": "Traditional",
            "oidcClientMetadata": {
                "redirectUris": [f"{recorder.url}/other/callback"],
                "postLogoutRedirectUris": [f"{recorder.url}/other/signed-out"],
            },
        },
    )
    return cast(str, created["id"])


def sign_in_and_out_of_other_app(
    page: Page, logto: LogtoInstance, client_id: str, recorder: Recorder
) -> None:
    """In the same browser (the same Logto session): open the other app's sign-in (Logto
    signs the user in without a prompt), then its sign-out at Logto's end-session endpoint."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "client_id": client_id,
        "redirect_uri": f"{recorder.url}/other/callback",
        "response_type": "code",
        "scope": "openid",
        "state": secrets.token_urlsafe(8),
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    page.goto(f"{logto.issuer}/auth?{urllib.parse.urlencode(query)}")
    page.wait_for_url(f"{recorder.url}/other/callback?**")
    end = {"client_id": client_id, "post_logout_redirect_uri": f"{recorder.url}/other/signed-out"}
    page.goto(f"{logto.issuer}/session/end?{urllib.parse.urlencode(end)}")
    page.wait_for_url(f"{recorder.url}/other/signed-out")


def post_to_app(app_url: str, token: str) -> tuple[int, dict[str, Any]]:
    data = urllib.parse.urlencode({"logout_token": token}).encode()
    request = urllib.request.Request(f"{app_url}/backchannel-logout", data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def forged(captured: str, sid: str) -> str:
    """The captured token's header and claims for the new session, signed by a key of our own
    under Logto's key id."""
    header = jwt.get_unverified_header(captured)
    claims = jwt.decode(captured, options={"verify_signature": False})
    claims |= {"sid": sid, "jti": secrets.token_urlsafe(16), "iat": int(time.time())}
    key = ec.generate_private_key(ec.SECP384R1())
    return jwt.encode(claims, key, "ES384", headers={"kid": header["kid"], "typ": "logout+jwt"})


def signed_in_as(page: Page, app_url: str, name: str) -> None:
    page.goto(f"{app_url}/")
    expect(page.get_by_test_id("user-name")).to_have_text(name)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_sign_out_at_logto_signs_the_user_out_here(
    framework: str, logto: LogtoInstance, tenant: LogtoTenant, tmp_path: Path, page: Page
) -> None:
    username = f"bcl_{framework.lower()}"
    name = f"Back-channel reader of {framework}"
    user = tenant.create_user(username, PASSWORD, name=name)
    with running_store("redis", tmp_path / "redis") as store_env:
        app = provisioned(
            bake_against(
                tmp_path,
                logto,
                framework=framework,
                port=free_port(),
                answers=ANSWERS,
                env=store_env,
            )
        )
        app_id = env_values(app)["LOGTO_APP_ID"]

        # provision registered the URI, with session IDs; doctor agrees.
        metadata = tenant.call("GET", f"/api/applications/{app_id}")["oidcClientMetadata"]
        assert metadata["backchannelLogoutUri"] == f"{app.base_url}/backchannel-logout"
        assert metadata["backchannelLogoutSessionRequired"] is True
        again = logto_command(app, "provision", "--dry-run")
        assert "no changes" in again.stdout, again.stdout + again.stderr
        doctor = logto_command(app, "doctor")
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert "has the back-channel logout URI" in doctor.stdout

        with running_app(app, tmp_path) as app_url, recording_proxy(app_url) as recorder:
            # Logto posts to the recorder, which hands the token on to the bake.
            tenant.call(
                "PATCH",
                f"/api/applications/{app_id}",
                {
                    "oidcClientMetadata": {
                        **metadata,
                        "backchannelLogoutUri": f"{recorder.url}/backchannel-logout",
                    }
                },
            )
            other_id = other_app(tenant, recorder)

            sign_in_from_home(page, logto, app_url, username)
            expect(page.get_by_test_id("user-name")).to_have_text(name)
            page.goto(f"{app_url}/profile")
            first_sid = shown_claims(page)["sid"]  # in the ID token: session required

            sign_in_and_out_of_other_app(page, logto, other_id, recorder)
            assert recorder.arrived.wait(DELIVERY_SECONDS), "Logto sent no logout token"
            (delivery,) = recorder.deliveries
            assert delivery.status == 200, delivery
            token = delivery.form["logout_token"]

            # What Logto sent.
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
            assert (header["alg"], header["typ"]) == ("ES384", "logout+jwt"), header
            assert claims["iss"] == logto.issuer and claims["aud"] == app_id, claims
            assert (claims["sub"], claims["sid"]) == (user["id"], first_sid), claims
            assert claims["events"] == {LOGOUT_EVENT: {}}, claims
            assert "nonce" not in claims and "exp" not in claims, claims
            assert claims["jti"] and claims["iat"] <= time.time() + 5, claims

            # The bake's next page: signed out (its session cookie is still in the browser).
            page.goto(f"{app_url}/")
            expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
            expect(page.get_by_test_id("user-name")).to_have_count(0)

            # Signed in again (a new Logto session): the replayed and forged tokens end nothing.
            sign_in_from_home(page, logto, app_url, username)
            page.goto(f"{app_url}/profile")
            second_sid = shown_claims(page)["sid"]
            assert second_sid != first_sid
            status, body = post_to_app(app_url, token)
            assert (status, body["error"]) == (400, "invalid_request"), body
            assert "already used" in body["error_description"], body
            status, body = post_to_app(app_url, forged(token, second_sid))
            assert (status, body["error"]) == (400, "invalid_request"), body
            signed_in_as(page, app_url, name)
            assert len(recorder.deliveries) == 1

            # Signing out here (RP-initiated) also makes Logto post a logout token to this app
            # (its own session is deleted already): answered 200.
            recorder.arrived.clear()
            page.get_by_role("button", name="Sign out").first.click()
            page.wait_for_url(f"{app_url}/")
            assert recorder.arrived.wait(DELIVERY_SECONDS), "no logout token after sign-out"
            assert [d.status for d in recorder.deliveries] == [200, 200], recorder.deliveries
            own = jwt.decode(
                recorder.deliveries[1].form["logout_token"], options={"verify_signature": False}
            )
            assert own["sid"] == second_sid, own

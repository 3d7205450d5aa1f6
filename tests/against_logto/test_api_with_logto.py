"""The protected API against a real Logto: each framework's bake, provisioned by its own
`logto provision --assign-role`, under its production server.

Users' access tokens come from Logto itself: through Logto's token exchange (a subject token
the Management API issues for the user, exchanged by a test app for the API resource, so
Logto grants exactly the scopes the user's roles hold), and in Chromium through Logto's
sign-in page, where the bake's own page asks for and renews its token. A machine-to-machine
app's token comes from the client-credentials grant. Forged tokens start from real ones.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from playwright.sync_api import Page, expect

from tests.against_logto.test_browser_with_logto import (
    PASSWORD,
    refresh_exchanges,
    sign_in_from_home,
    wait_until,
)
from tests.bakes import FRAMEWORKS
from tests.support.baked_app import BakedApp, running_app
from tests.support.logto_bake import bake_against, env_values, provisioned
from tests.support.processes import free_port
from tests.support.real_logto import LogtoInstance, LogtoTenant

pytestmark = pytest.mark.e2e

API = "https://api.shop.example"
OTHER_API = "https://other-api.shop.example"
SCOPES = "read:items write:items"
LEEWAY_SECONDS = 10  # api/access_tokens.py
EXPIRY_TIMEOUT = LEEWAY_SECONDS + 20
#: The SDK counts an access token as expired 60 s before it is: one of 62 s is renewed after 2 s.
SHORT_TTL = 62


@dataclass
class ApiAnswer:
    status: int
    headers: dict[str, str]
    body: Any


def call(url: str, token: str | None, method: str = "GET", body: Any = None) -> ApiAnswer:
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers
    return ApiAnswer(status, {k.lower(): v for k, v in got.items()}, json.loads(raw or b"null"))


def token_request(logto: LogtoInstance, client: tuple[str, str], form: dict[str, str]) -> Any:
    basic = base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()
    request = urllib.request.Request(
        f"{logto.issuer}/token",
        data=urlencode(form).encode(),
        headers={"Authorization": f"Basic {basic}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())


@dataclass
class Tenant:
    """What a test needs of the tenant beyond the bake: users and apps to get tokens with."""

    logto: LogtoInstance
    tenant: LogtoTenant
    exchanger: tuple[str, str]  # an app allowed Logto's token exchange

    def user_token(self, user_id: str, resource: str = API) -> str:
        """The user's access token for `resource`, as Logto grants it to their roles."""
        subject = self.tenant.call("POST", "/api/subject-tokens", {"userId": user_id})
        form = {
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": subject["subjectToken"],
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "resource": resource,
            "scope": SCOPES,
        }
        return str(token_request(self.logto, self.exchanger, form)["access_token"])

    def machine_token(self, scope_ids: list[str]) -> str:
        """A new M2M app's token for the API, its role holding `scope_ids`."""
        app = self.tenant.call(
            "POST", "/api/applications", {"name": "Job", "type": "MachineToMachine"}
        )
        role = self.tenant.call(
            "POST",
            "/api/roles",
            {
                "name": "Shop jobs",
                "description": "jobs",
                "type": "MachineToMachine",
                "scopeIds": scope_ids,
            },
        )
        self.tenant.call("POST", f"/api/applications/{app['id']}/roles", {"roleIds": [role["id"]]})
        form = {"grant_type": "client_credentials", "resource": API, "scope": SCOPES}
        return str(token_request(self.logto, (app["id"], app["secret"]), form)["access_token"])

    def resource(self, indicator: str) -> dict[str, Any]:
        resources = self.tenant.call("GET", "/api/resources", includeScopes="true")
        return next(r for r in resources if r["indicator"] == indicator)


@pytest.fixture
def shop(logto: LogtoInstance, tenant: LogtoTenant) -> Iterator[Tenant]:
    exchanger = tenant.call(
        "POST",
        "/api/applications",
        {
            "name": "Token exchange for tests",
            "type": "Traditional",
            "oidcClientMetadata": {
                "redirectUris": ["http://127.0.0.1:9/cb"],
                "postLogoutRedirectUris": [],
            },
            "customClientMetadata": {"allowTokenExchange": True},
        },
    )
    secret = tenant.call("GET", f"/api/applications/{exchanger['id']}/secrets")[0]["value"]
    yield Tenant(logto, tenant, (exchanger["id"], secret))


def api_bake(
    tmp_path: Path, logto: LogtoInstance, framework: str, *provision_args: str
) -> BakedApp:
    app = bake_against(
        tmp_path, logto, framework=framework, port=free_port(), answers={"api_resource": API}
    )
    return provisioned(app, *provision_args)


def forged(token: str, jwks_url: str) -> dict[str, str]:
    """Tokens made from a real one that a careful API refuses, by what each tries."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    with urllib.request.urlopen(jwks_url, timeout=10) as response:
        keys = jwt.PyJWKSet.from_dict(json.loads(response.read())).keys
    public = next(key for key in keys if key.key_id == header["kid"]).key
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def b64(data: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    hmac = jwt.api_jws.PyJWS(algorithms=["HS256"])
    hmac._algorithms["HS256"].prepare_key = lambda key: key  # type: ignore[method-assign]
    head = {"typ": "at+jwt", "kid": header["kid"]}
    stranger = ec.generate_private_key(ec.SECP384R1())
    return {
        "alg none": f"{b64({**head, 'alg': 'none'})}.{b64(claims)}.",
        "HS256 keyed with Logto's public key": hmac.encode(
            json.dumps(claims).encode(), pem, algorithm="HS256", headers=head
        ),
        "RS256 for Logto's EC key": jwt.encode(
            claims, rsa.generate_private_key(65537, 2048), algorithm="RS256", headers=head
        ),
        "another issuer, signed by another key": jwt.encode(
            {**claims, "iss": "https://evil.example/oidc"},
            stranger,
            algorithm="ES384",
            headers=head,
        ),
        "more scopes, Logto's signature": ".".join(
            [
                token.split(".")[0],
                b64({**claims, "scope": "read:items write:items admin"}),
                token.split(".")[2],
            ]
        ),
    }


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_api_takes_what_logto_grants(framework: str, shop: Tenant, tmp_path: Path) -> None:
    tenant = shop.tenant
    editor = tenant.create_user(f"editor_{framework.lower()}", PASSWORD)
    reader = tenant.create_user(f"reader_{framework.lower()}", PASSWORD)
    app = api_bake(tmp_path, shop.logto, framework, "--assign-role", editor["username"])
    resource = shop.resource(API)
    assert sorted(scope["name"] for scope in resource["scopes"]) == sorted(SCOPES.split())
    read_only = tenant.call(
        "POST",
        "/api/roles",
        {
            "name": "Shop readers",
            "description": "read",
            "type": "User",
            "scopeIds": [s["id"] for s in resource["scopes"] if s["name"] == "read:items"],
        },
    )
    tenant.call("POST", f"/api/users/{reader['id']}/roles", {"roleIds": [read_only["id"]]})

    with running_app(app, tmp_path) as app_url:
        items = f"{app_url}/api/items"
        # The editor (role given by `provision --assign-role`): reads and writes.
        token = shop.user_token(editor["id"])
        assert jwt.get_unverified_header(token)["alg"] == "ES384"  # a self-hosted Logto's
        answer = call(items, token)
        assert answer.status == 200 and answer.body["items"], answer
        created = call(items, token, "POST", {"name": "From the editor"})
        assert created.status == 201, created
        assert created.body["item"]["created_by"] == editor["id"]
        me = call(f"{app_url}/api/me", token).body
        assert (me["subject"], sorted(me["scopes"])) == (editor["id"], sorted(SCOPES.split()))

        # The reader: reads; writing is 403 insufficient_scope.
        token = shop.user_token(reader["id"])
        assert call(items, token).status == 200
        refused = call(items, token, "POST", {"name": "x"})
        assert refused.status == 403 and refused.body["error"] == "insufficient_scope", refused
        assert 'scope="write:items"' in refused.headers["www-authenticate"]

        # A user without any role: a token Logto issues, with no scope.
        nobody = tenant.create_user(f"nobody_{framework.lower()}", PASSWORD)
        assert call(items, shop.user_token(nobody["id"])).status == 403

        # A machine-to-machine app whose role holds read:items: 200, and 403 for writing.
        read_id = [s["id"] for s in resource["scopes"] if s["name"] == "read:items"]
        machine = shop.machine_token(read_id)
        assert jwt.decode(machine, options={"verify_signature": False})["scope"] == "read:items"
        assert call(items, machine).status == 200
        assert call(items, machine, "POST", {"name": "x"}).status == 403

        # A token for another API of the same Logto: 401 invalid_token.
        tenant.call("POST", "/api/resources", {"name": "Other", "indicator": OTHER_API})
        other = call(items, shop.user_token(editor["id"], OTHER_API))
        assert other.status == 401 and other.body["error"] == "invalid_token", other
        assert 'error="invalid_token"' in other.headers["www-authenticate"]

        # Forgeries and algorithm or issuer mix-ups built on a real token: 401 each.
        real = shop.user_token(editor["id"])
        for what, fake in forged(real, f"{shop.logto.issuer}/jwks").items():
            answer = call(items, fake)
            assert answer.status == 401, (what, answer)
            assert answer.body["error"] == "invalid_token", (what, answer)

        # Expired: the API resource's tokens made to live 1 s; refused once past the leeway.
        tenant.call("PATCH", f"/api/resources/{resource['id']}", {"accessTokenTtl": 1})
        short = shop.user_token(editor["id"])
        expires = jwt.decode(short, options={"verify_signature": False})["exp"]
        assert call(items, short).status == 200  # still within the leeway
        wait_until(
            "the expired token is refused",
            lambda: time.time() > expires + LEEWAY_SECONDS + 1 and call(items, short).status == 401,
            EXPIRY_TIMEOUT,
        )
        assert call(items, short).body["error_description"] == "the token has expired"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_page_shows_and_gates_what_the_users_role_allows(
    framework: str, shop: Tenant, tmp_path: Path, page: Page
) -> None:
    """In Chromium through Logto's sign-in page: the editor's page lists both permissions,
    its gated action succeeds, and the app renews the API token once it expires."""
    tenant = shop.tenant
    editor = tenant.create_user(f"web_editor_{framework.lower()}", PASSWORD, name="Web Editor")
    app = api_bake(tmp_path, shop.logto, framework, "--assign-role", editor["username"])
    resource = shop.resource(API)
    tenant.call("PATCH", f"/api/resources/{resource['id']}", {"accessTokenTtl": SHORT_TTL})
    app_id = env_values(app)["LOGTO_APP_ID"]

    with running_app(app, tmp_path) as app_url:
        sign_in_from_home(page, shop.logto, app_url, editor["username"])
        page.get_by_role("link", name="API access").click()
        page.wait_for_url(f"{app_url}/api-access")
        permissions = page.get_by_test_id("api-permissions")
        expect(permissions.locator('[data-scope="read:items"]')).to_have_attribute(
            "data-held", "yes"
        )
        expect(permissions.locator('[data-scope="write:items"]')).to_have_attribute(
            "data-held", "yes"
        )
        page.locator('input[name="name"]').fill("Made in the browser")
        page.get_by_test_id("api-create").click()
        page.wait_for_url(f"{app_url}/api-access")  # redirected after the POST: a reload is a GET
        expect(page.get_by_test_id("flashes")).to_contain_text("Created “Made in the browser”")

        # The API token lives SHORT_TTL s; the page renews it with the refresh token (one
        # grant with the API as resource), and the user never sees Logto again.
        before = refresh_exchanges(tenant, app_id)

        def renewed() -> bool:
            page.goto(f"{app_url}/api-access")
            assert page.url == f"{app_url}/api-access", page.url
            return refresh_exchanges(tenant, app_id) > before

        wait_until("the page renews the API token", renewed, 30)
        expect(permissions.locator('[data-scope="write:items"]')).to_have_attribute(
            "data-held", "yes"
        )

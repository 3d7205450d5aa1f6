"""The API as FastAPI dependencies: the OpenAPI schema declares the bearer scheme and each
route's scopes, `/docs` shows it under a policy that lets exactly Swagger UI's files load, and
a route of the owner's own is guarded by `require_scopes` and answers JSON under /api/."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException

from logto_kit.about import PROJECT_NAME
from logto_kit.api.access_tokens import VerifiedToken
from logto_kit.api.scopes import READ_ITEMS, WRITE_ITEMS
from logto_kit.settings import Settings
from logto_kit.web.api import AccessToken, require_scopes
from logto_kit.web.api_docs import SWAGGER_UI_CSS, SWAGGER_UI_JS
from logto_kit.web.security_headers import content_security_policy

from {{ cookiecutter.package_name }} import create_app

from .conftest import API_RESOURCE
from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient

SCHEME = "LogtoAccessToken"


def schema_of(client: PageClient) -> dict[str, Any]:
    page = client.get("/openapi.json")
    assert page.status == 200, page.text
    answer: dict[str, Any] = json.loads(page.text)
    return answer


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def owners_router() -> APIRouter:
    """Routes an owner adds to the API, the way the module's docstring says."""
    router = APIRouter(prefix="/api")

    @router.get("/reports")
    async def reports(token: Annotated[VerifiedToken, require_scopes("read:reports")]) -> Any:
        return {"owner": token.subject, "scope": token.claims["scope"]}

    @router.get("/reports/{number}")
    async def report(number: int, token: AccessToken) -> Any:
        if number > 9:
            raise HTTPException(404, "no such report")
        return {"number": number}

    return router


def test_the_schema_declares_the_bearer_scheme_and_each_routes_scopes(
    client: PageClient,
) -> None:
    schema = schema_of(client)
    assert schema["components"]["securitySchemes"] == {
        SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": schema["components"]["securitySchemes"][SCHEME]["description"],
        }
    }
    paths = schema["paths"]
    assert sorted(paths) == ["/api/items", "/api/me"]  # the pages are not API
    needs = {
        (path, method): operation["security"]
        for path, operations in paths.items()
        for method, operation in operations.items()
    }
    assert needs == {
        ("/api/me", "get"): [{SCHEME: []}],
        ("/api/items", "get"): [{SCHEME: [READ_ITEMS]}],
        ("/api/items", "post"): [{SCHEME: [WRITE_ITEMS]}],
    }
    create = paths["/api/items"]["post"]
    assert create["description"].startswith(f"Scopes: `{WRITE_ITEMS}`."), create
    assert create["requestBody"]["content"]["application/json"]["schema"]["required"] == ["name"]
    assert {"400", "401", "403"} <= set(create["responses"]), create["responses"]
    assert paths["/api/me"]["get"]["description"].startswith("Any valid access token.")


def test_an_owners_route_is_guarded_and_listed(settings: Settings, logto: FakeLogto) -> None:
    app = create_app(settings)
    app.include_router(owners_router())
    client = PageClient(app)
    try:
        assert schema_of(client)["paths"]["/api/reports"]["get"]["security"] == [
            {SCHEME: ["read:reports"]}
        ]
        lacking = bearer(logto.access_token("u-bob", API_RESOURCE, READ_ITEMS))
        refused = client.call("GET", "/api/reports", lacking)
        assert refused.status == 403, refused.text
        assert json.loads(refused.text)["scope"] == "read:reports"
        assert 'scope="read:reports"' in refused.headers["www-authenticate"]
        holding = bearer(logto.access_token("u-ann", API_RESOURCE, "read:reports other"))
        served = client.call("GET", "/api/reports", holding)
        assert (served.status, json.loads(served.text)["owner"]) == (200, "u-ann"), served.text
        assert client.call("GET", "/api/reports/1").status == 401  # any token, but one

        # FastAPI's own refusals of a route's input answer JSON under /api/ too
        not_a_number = client.call("GET", "/api/reports/x", holding)
        assert (not_a_number.status, json.loads(not_a_number.text)["error"]) == (
            400,
            "invalid_request",
        )
        missing = client.call("GET", "/api/reports/10", holding)
        assert (missing.status, json.loads(missing.text)) == (
            404,
            {"error": "not_found"},
        )
    finally:
        client.close()


def test_docs_load_swagger_ui_pinned_under_their_own_policy(
    client: PageClient, settings: Settings
) -> None:
    page = client.get("/docs")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert f"<title>API docs · {PROJECT_NAME}</title>" in page.text
    policy = page.headers["content-security-policy"]
    (js, js_hash), (css, css_hash) = SWAGGER_UI_JS, SWAGGER_UI_CSS
    expected = (
        content_security_policy(settings)
        .replace("script-src 'self'", f"script-src 'self' {js}")
        .replace("style-src 'self'", f"style-src 'self' {css}")
    )
    assert policy == expected
    assert re.fullmatch(r"https://cdn\.jsdelivr\.net/npm/swagger-ui-dist@\d+\.\d+\.\d+/.*", js)
    assert f'src="{js}" integrity="{js_hash}" crossorigin="anonymous"' in page.text
    assert f'href="{css}" integrity="{css_hash}" crossorigin="anonymous"' in page.text
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert len(scripts) == 2 and all(" src=" in attributes for attributes in scripts)  # none inline
    start = client.get("/docs/swagger-ui-init.js")
    assert start.status == 200 and start.headers["content-type"].startswith("text/javascript")
    assert 'data-openapi-url="/openapi.json"' in page.text and "openapiUrl" in start.text
    assert "content-security-policy" in start.headers  # the app's own, as everywhere
    assert client.get("/openapi.json").headers["content-security-policy"] != policy


def test_one_nav_link_however_many_apps(settings: Settings, logto: FakeLogto) -> None:
    """The apps share the package's templates (views.py): each adds the link once."""
    clients = [PageClient(create_app(settings)) for _ in range(2)]
    try:
        sign_in(clients[1], logto)
        assert clients[1].get("/").text.count('href="/api-access"') == 1
    finally:
        for client in clients:
            client.close()

"""The API's interactive docs at `/docs`: Swagger UI over `/openapi.json`, which lists the
bearer scheme and each route's scopes (paste an access token under "Authorize", then "Try it
out"). Swagger UI shows no scopes of a bearer scheme, so each operation's description starts
with them too.

Swagger UI is a script bundle this app does not ship: the page loads it from jsDelivr, pinned
to one release and checked by Subresource Integrity (the browser refuses a file whose hash
differs). That page alone has a Content-Security-Policy allowing exactly those two files
besides this app's own; its start-up script is served from here (`/docs/swagger-ui-init.js`),
as no page of this app runs inline script. Without jsDelivr (offline, or a network that
blocks it) the page says so and links the schema, which any OpenAPI tool reads.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from ..about import PROJECT_NAME
from ..settings import Settings
from .security_headers import content_security_policy

SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.36.0"
#: Each file's URL and its SHA-384 (the npm package's file, which jsDelivr serves unchanged).
SWAGGER_UI_JS = (
    f"{SWAGGER_UI}/swagger-ui-bundle.js",
    "sha384-fUpRgC19yPykTqzdrUbdAg8NTiu16NEKf9U12J+IJWCg8/1mEI8f2+PEIz60Wyd+",
)
SWAGGER_UI_CSS = (
    f"{SWAGGER_UI}/swagger-ui.css",
    "sha384-z/AtSaOHGn5MJ5auAHXUypohywlIWLBZo1jeGmhdpVIbCnFhxAH92cwdV41oyINc",
)
TITLE = f"API docs · {PROJECT_NAME}"
START_SCRIPT = """\
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.getElementById("swagger-ui").dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
  });
});
"""
router = APIRouter(include_in_schema=False)


def register(app: FastAPI, settings: Settings, scheme_name: str) -> None:
    app.state.api_docs_policy = docs_policy(settings)
    app.include_router(router)
    app.openapi = scopes_described(app, scheme_name)  # type: ignore[method-assign]


def scopes_described(app: FastAPI, scheme_name: str) -> Callable[[], dict[str, Any]]:
    """`app.openapi` (FastAPI's schema, made once) with each operation's description
    starting with the scopes `scheme_name` needs there."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            for operation in operations(generate()):
                for requirement in operation.get("security", []):
                    if scheme_name in requirement:
                        scopes = ", ".join(f"`{scope}`" for scope in requirement[scheme_name])
                        needs = f"Scopes: {scopes}" if scopes else "Any valid access token"
                        described = operation.get("description")
                        operation["description"] = f"{needs}.\n\n{described or ''}".strip()
        return app.openapi_schema  # type: ignore[return-value]

    return openapi


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for path in schema.get("paths", {}).values() for operation in path.values()]


def docs_policy(settings: Settings) -> str:
    """The app's policy, with Swagger UI's two files allowed (their exact URLs)."""
    directives = dict(part.split(" ", 1) for part in content_security_policy(settings).split("; "))
    directives["script-src"] += f" {SWAGGER_UI_JS[0]}"
    directives["style-src"] += f" {SWAGGER_UI_CSS[0]}"
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


@router.get("/docs", name="api_docs.swagger_ui")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    schema = escape(f"{root}{request.app.openapi_url}")
    (js, js_hash), (css, css_hash) = SWAGGER_UI_JS, SWAGGER_UI_CSS
    page = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{escape(TITLE)}</title>
  <link rel="stylesheet" href="{css}" integrity="{css_hash}" crossorigin="anonymous">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{schema}">
    <p>Swagger UI loads from cdn.jsdelivr.net (with JavaScript). Without it, open
      <a href="{schema}">the OpenAPI schema</a> in any OpenAPI tool.</p>
  </div>
  <script src="{js}" integrity="{js_hash}" crossorigin="anonymous"></script>
  <script src="{root}/docs/swagger-ui-init.js"></script>
</body>
</html>
"""
    return HTMLResponse(
        page, headers={"Content-Security-Policy": request.app.state.api_docs_policy}
    )


@router.get("/docs/swagger-ui-init.js", name="api_docs.start_script")
async def start_script() -> Response:
    return Response(START_SCRIPT, media_type="text/javascript")

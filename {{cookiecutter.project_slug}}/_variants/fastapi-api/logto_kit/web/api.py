"""This app's JSON API under /api/ (FastAPI), protected by Logto roles, and the signed-in page
that shows what the user may do with it.

Protect a route of your own with a dependency: `require_scopes(...)` gives the checked token
to the route, and the OpenAPI schema (`/openapi.json`, shown at `/docs`) lists the scopes::

    @api.get("/reports")
    async def reports(token: Annotated[VerifiedToken, require_scopes("read:reports")]) -> dict:
        return {"owner": token.subject}

(`token: AccessToken` takes any valid token; it is FastAPI's `Security(verified_token,
scopes=[...])`, so scopes can also be added where the dependency is declared.)

Refusals follow RFC 6750 (401 `invalid_token`, 403 `insufficient_scope`, 400
`invalid_request` for a malformed header or more than one Authorization header, with
`WWW-Authenticate`), as JSON; Logto's keys out of reach is a 503, a body over
MAX_REQUEST_BYTES a 413, an unknown route a 404 or 405, all JSON under /api/.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request, Response, Security
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase

from ..api.access import ApiAccess, refused_access
from ..api.access_tokens import (
    AccessTokenVerifier,
    BearerError,
    VerifiedToken,
    bearer_token,
)
from ..api.access_tokens import require_scopes as check_scopes
from ..api.answers import (
    KEYS_UNAVAILABLE_PAGE,
    PREFIX,
    Answer,
    body_too_large,
    is_api_path,
    keys_unavailable_answer,
    no_such_route,
    refusal,
)
from ..api.items import MAX_NAME_LENGTH, SAMPLE_ITEMS, ItemRejected, new_item
from ..api.scopes import API_SCOPES, READ_ITEMS, WRITE_ITEMS
from ..auth.failures import Failure
from ..auth.logto_auth import LogtoAuth
from ..auth.published_keys import KeysUnavailable
from ..settings import Settings
from . import api_docs
from .csrf import csrf
from .error_pages import answer_failures_under, error_response
from .flashes import flash
from .signed_in import login_required, logto_auth
from .templates import path_for

logger = logging.getLogger(__name__)
NOT_STORED = {"Cache-Control": "no-store"}


def register(app: FastAPI, settings: Settings, auth: LogtoAuth) -> None:
    """The API, its docs and its page; every sign-in asks Logto for the API's access token."""
    assert settings.api_resource is not None  # PROTECTED_API: settings.py requires it
    verifier = AccessTokenVerifier(f"{settings.logto_endpoint}/oidc", settings.api_resource)
    app.state.api_access_tokens = verifier
    auth.request_api(settings.api_resource, API_SCOPES)
    csrf.exempt(f"{PREFIX}/")  # bearer tokens, not cookies: nothing for another site to forge
    app.include_router(api)
    app.include_router(api_pages)
    api_docs.register(app, settings, logto_bearer.scheme_name)
    links: list[tuple[str, str]] = app.state.templates.env.globals.setdefault("nav_links", [])
    if ("api_pages.api_access", "API access") not in links:  # one list for every app
        links.append(("api_pages.api_access", "API access"))
    app.add_exception_handler(BearerError, refused)  # type: ignore[arg-type]
    app.add_exception_handler(KeysUnavailable, keys_unavailable)  # type: ignore[arg-type]
    answer_failures_under(app, f"{PREFIX}/", failure_answer)


# -- the bearer token, as FastAPI's security dependencies --------------------------------------
class LogtoBearer(SecurityBase):
    """The API's security scheme: an access token from Logto in `Authorization: Bearer`. As a
    dependency it is the token, unchecked; in the OpenAPI schema it is an HTTP bearer scheme
    that each route lists with its scopes."""

    def __init__(self) -> None:
        self.model = HTTPBearerModel(
            bearerFormat="JWT",
            description="An access token Logto issued for this API (its resource indicator); "
            "a route needs the scopes it lists, held through Logto roles.",
        )
        self.scheme_name = "LogtoAccessToken"

    async def __call__(self, request: Request) -> str:
        return bearer_token(request.headers.getlist("Authorization"))


logto_bearer = LogtoBearer()


async def verified_token(
    security_scopes: SecurityScopes,
    request: Request,
    token: Annotated[str, Depends(logto_bearer)],
) -> VerifiedToken:
    """The request's access token, checked, holding every scope the route declares (FastAPI
    gathers them from `Security(..., scopes=[...])`); else a `BearerError`, answered below."""
    verifier: AccessTokenVerifier = request.app.state.api_access_tokens
    return check_scopes(await verifier.verify_async(token), security_scopes.scopes)


def require_scopes(*scopes: str) -> Any:
    """A dependency: the request's access token, checked, holding every one of `scopes`
    (`token: Annotated[VerifiedToken, require_scopes("read:items")]`)."""
    return Security(verified_token, scopes=list(scopes))


#: Any valid access token for this API, as a route's parameter: `token: AccessToken`.
AccessToken = Annotated[VerifiedToken, Security(verified_token)]


def json_answer(answer: Answer) -> JSONResponse:
    body, status, headers = answer
    return JSONResponse(body, status, {**headers, **NOT_STORED})


def refused(request: Request, error: BearerError) -> JSONResponse:
    return json_answer(refusal(error, request.app.state.api_access_tokens.audience))


def keys_unavailable(request: Request, error: KeysUnavailable) -> Response:
    """Logto's keys out of reach: the API answers 503 JSON, the user's page its 503 page."""
    if is_api_path(request.scope["path"]):
        logger.warning("cannot check an access token: %s", error)
        return json_answer(keys_unavailable_answer())
    logger.warning("cannot check the user's access token: %s", error)
    return error_response(request, KEYS_UNAVAILABLE_PAGE)


def failure_answer(request: Request, failure: Failure) -> JSONResponse:
    """Any other failure under /api/, as JSON (API clients read no HTML error page): a 404 or
    405, a body over MAX_REQUEST_BYTES, a malformed request, the session store down ..."""
    if failure.status in (404, 405):
        return json_answer(no_such_route(failure.status, None))  # 405: Allow added after
    if failure.status == 413:
        return json_answer(body_too_large(request.app.state.settings.max_request_bytes))
    codes = {400: "invalid_request", 503: "temporarily_unavailable"}
    error = codes.get(failure.status, HTTPStatus(failure.status).phrase.lower().replace(" ", "_"))
    body = {"error": error, "error_description": failure.message}
    return json_answer((body, failure.status, {}))


# -- the API's routes --------------------------------------------------------------------------
async def not_stored(response: Response) -> None:
    response.headers.update(NOT_STORED)


REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"description": "More than one Authorization header, or a malformed one"},
    401: {"description": "No access token, or one that is not valid for this API"},
    403: {"description": "The token lacks a scope the route needs"},
}
api = APIRouter(prefix=PREFIX, tags=["API"], dependencies=[Depends(not_stored)], responses=REFUSALS)
NEW_ITEM_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH}
                },
            }
        }
    },
}


@api.get("/me", name="api.me", summary="Who the token speaks for")
async def me(token: AccessToken) -> dict[str, Any]:
    """Who the token speaks for and what it allows (any valid token)."""
    return token.as_json()


@api.get(
    "/items",
    name="api.list_items",
    summary="List the items",
    dependencies=[require_scopes(READ_ITEMS)],
)
async def list_items() -> dict[str, Any]:  # a guard without the token: `dependencies=`
    """The example's items."""
    return {"items": list(SAMPLE_ITEMS)}


@api.post(
    "/items",
    name="api.create_item",
    summary="Create an item",
    status_code=201,
    response_model=None,
    openapi_extra={"requestBody": NEW_ITEM_BODY},
)
async def create_item(
    request: Request, token: Annotated[VerifiedToken, require_scopes(WRITE_ITEMS)]
) -> dict[str, Any] | JSONResponse:
    """Create an item (`{"name": "..."}`); it is checked, then returned."""
    try:
        submitted = await request.json()
    except ValueError:  # not JSON: refused by new_item with the others
        submitted = None
    try:
        item = new_item(submitted, token.subject)
    except ItemRejected as error:
        body = {"error": "invalid_request", "error_description": str(error)}
        return json_answer((body, 400, {}))
    return {"item": item}


# -- the signed-in user's page ----------------------------------------------------------------
api_pages = APIRouter(include_in_schema=False, dependencies=[Depends(login_required)])


class SignedOut(Exception):
    """The user's sign-in ended while getting their access token: sign in again."""


def sign_in_again(request: Request) -> RedirectResponse:
    url = path_for(request, "logto.sign_in", next=path_for(request, "api_pages.api_access"))
    return RedirectResponse(url, status_code=302)


async def users_api_access(request: Request) -> ApiAccess:
    """The user's access token for the API (renewed when it has expired), checked."""
    settings: Settings = logto_auth().settings
    assert settings.api_resource is not None
    token = await logto_auth().access_token_for(settings.api_resource)
    if token is None:
        raise SignedOut  # the sign-in could not be renewed
    verifier: AccessTokenVerifier = request.app.state.api_access_tokens
    try:
        return ApiAccess(await verifier.verify_async(token))
    except BearerError as error:
        return refused_access(error)


def access_page(request: Request, access: ApiAccess, status: int = 200, **context: Any) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "logto/api_access.html", {"access": access, **context}, status_code=status
    )


@api_pages.get("/api-access", name="api_pages.api_access")
async def api_access(request: Request) -> Response:
    try:
        access = await users_api_access(request)
    except SignedOut:
        return sign_in_again(request)
    return access_page(request, access)


@api_pages.post("/api-access/items", name="api_pages.create_item_as_user")
async def create_item_as_user(request: Request, name: Annotated[str, Form()] = "") -> Response:
    """The page's one gated action: create an item through the same checks as the API, then
    back to the page (a refusal is shown at once, with its status: nothing was created)."""
    try:
        access = await users_api_access(request)
        if access.token is None:
            return access_page(request, access, 502)
        check_scopes(access.token, [WRITE_ITEMS])
        item = new_item({"name": name}, access.token.subject)
    except SignedOut:
        return sign_in_again(request)
    except BearerError as error:
        return access_page(request, access, error.status, refused=error.description)
    except ItemRejected as error:
        return access_page(request, access, 400, refused=str(error))
    flash(request, f"Created “{item['name']}”.", "success")
    url = path_for(request, "api_pages.api_access")
    return RedirectResponse(url, status_code=303)  # a reload shows the page, not a resend

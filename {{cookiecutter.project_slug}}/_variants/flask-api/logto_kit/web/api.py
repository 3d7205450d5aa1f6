"""This app's JSON API under /api/ (Flask), protected by Logto roles, and the signed-in page
that shows what the user may do with it.

Protect a route of your own with `require_scopes`; the checked token is `g.access_token`::

    @api.get("/reports")
    @require_scopes("read:reports")
    def reports() -> ApiAnswer:
        return {"owner": g.access_token.subject}, 200

Refusals follow RFC 6750 (401 `invalid_token`, 403 `insufficient_scope`, 400
`invalid_request` for a malformed header or more than one Authorization header, with
`WWW-Authenticate`), as JSON; Logto's keys out of reach is a 503, a body over
MAX_REQUEST_BYTES a 413.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import (
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.wrappers import Response

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
from ..api.items import SAMPLE_ITEMS, ItemRejected, new_item
from ..api.scopes import API_SCOPES, READ_ITEMS, WRITE_ITEMS
from ..auth.logto_auth import LogtoAuth
from ..auth.published_keys import KeysUnavailable
from ..settings import Settings
from .async_bridge import run_coroutine
from .csrf import csrf
from .error_pages import failure_page, http_error_page, too_large
from .signed_in import login_required, logto_auth

api = Blueprint("api", __name__, url_prefix=PREFIX)
api_pages = Blueprint("api_pages", __name__)
View = TypeVar("View", bound=Callable[..., Any])
ApiAnswer = tuple[dict[str, Any], int]
logger = logging.getLogger(__name__)


def register(app: Flask, settings: Settings, auth: LogtoAuth) -> None:
    """The API and its page; every sign-in asks Logto for the API's access token."""
    assert settings.api_resource is not None  # PROTECTED_API: settings.py requires it
    verifier = AccessTokenVerifier(f"{settings.logto_endpoint}/oidc", settings.api_resource)
    app.extensions["api_access_tokens"] = verifier
    auth.request_api(settings.api_resource, API_SCOPES)
    csrf.exempt(api)  # bearer tokens, not cookies: nothing for another site to forge
    app.register_blueprint(api)
    app.register_blueprint(api_pages)
    links = cast(list[tuple[str, str]], app.jinja_env.globals.setdefault("nav_links", []))
    links.append(("api_pages.api_access", "API access"))
    app.register_error_handler(NotFound, not_found_or_not_allowed)
    app.register_error_handler(MethodNotAllowed, not_found_or_not_allowed)
    app.register_error_handler(RequestEntityTooLarge, too_large_here)
    app.register_error_handler(KeysUnavailable, keys_unavailable_page)


def verifier() -> AccessTokenVerifier:
    return cast(AccessTokenVerifier, current_app.extensions["api_access_tokens"])


def require_scopes(*scopes: str) -> Callable[[View], View]:
    """Only requests bearing a valid access token for this app's API that holds every one of
    `scopes` reach the view; the checked token is `g.access_token`."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = verifier().verify(bearer_token(request.headers.getlist("Authorization")))
            g.access_token = check_scopes(token, scopes)
            return view(*args, **kwargs)

        return cast(View, wrapper)

    return decorator


@api.after_request
def not_stored(response: Any) -> Any:
    response.headers["Cache-Control"] = "no-store"
    return response


@api.errorhandler(BearerError)
def refused(error: BearerError) -> Answer:
    return refusal(error, verifier().audience)


@api.errorhandler(KeysUnavailable)
def keys_unavailable(error: KeysUnavailable) -> Answer:
    logger.warning("cannot check an access token: %s", error)
    return keys_unavailable_answer()


def not_found_or_not_allowed(error: HTTPException) -> Any:
    """JSON under /api/ (for API clients), the error page elsewhere."""
    if is_api_path(request.path):
        allowed = getattr(error, "valid_methods", None)
        return no_such_route(error.code or 404, list(allowed) if allowed else None)
    return http_error_page(error)


def too_large_here(error: RequestEntityTooLarge) -> Any:
    """A request body above MAX_REQUEST_BYTES: JSON under /api/, the error page elsewhere."""
    if is_api_path(request.path):
        return body_too_large(current_app.config["MAX_CONTENT_LENGTH"])
    return too_large(error)


@api.get("/me")
@require_scopes()
def me() -> ApiAnswer:
    """Who the token speaks for and what it allows (any valid token)."""
    token: VerifiedToken = g.access_token
    return token.as_json(), 200


@api.get("/items")
@require_scopes(READ_ITEMS)
def list_items() -> ApiAnswer:
    return {"items": list(SAMPLE_ITEMS)}, 200


@api.post("/items")
@require_scopes(WRITE_ITEMS)
def create_item() -> ApiAnswer:
    try:
        item = new_item(request.get_json(silent=True), g.access_token.subject)
    except ItemRejected as error:
        return {"error": "invalid_request", "error_description": str(error)}, 400
    return {"item": item}, 201


# -- the signed-in user's page ----------------------------------------------------------------
Page = str | tuple[str, int]


class SignedOut(Exception):
    """The user's sign-in ended while getting their access token: sign in again."""


def sign_in_again() -> Response:
    return redirect(url_for("logto.sign_in", next=url_for("api_pages.api_access")))


def users_api_access() -> ApiAccess:
    """The user's access token for the API (renewed when it has expired), checked."""
    settings: Settings = logto_auth().settings
    assert settings.api_resource is not None
    token = run_coroutine(logto_auth().access_token_for(settings.api_resource))
    if token is None:
        raise SignedOut  # the sign-in could not be renewed
    try:
        return ApiAccess(verifier().verify(token))
    except BearerError as error:
        return refused_access(error)


@api_pages.get("/api-access")
@login_required
def api_access() -> Response | Page:
    try:
        access = users_api_access()
    except SignedOut:
        return sign_in_again()
    return render_template("logto/api_access.html", access=access)


@api_pages.post("/api-access/items")
@login_required
def create_item_as_user() -> Response | Page:
    """The page's one gated action: create an item through the same checks as the API, then
    back to the page (a refusal is shown at once, with its status: nothing was created)."""
    try:
        access = users_api_access()
        if access.token is None:
            return render_template("logto/api_access.html", access=access), 502
        check_scopes(access.token, [WRITE_ITEMS])
        item = new_item({"name": request.form.get("name", "")}, access.token.subject)
    except SignedOut:
        return sign_in_again()
    except BearerError as error:
        page = render_template("logto/api_access.html", access=access, refused=error.description)
        return page, error.status
    except ItemRejected as error:
        return render_template("logto/api_access.html", access=access, refused=str(error)), 400
    flash(f"Created “{item['name']}”.", "success")
    return redirect(url_for(".api_access"), 303)  # a reload shows the page, not a resend


def keys_unavailable_page(error: KeysUnavailable) -> tuple[str, int]:
    """Logto's keys out of reach while checking the user's own token (the API's routes answer
    JSON: `keys_unavailable` above)."""
    logger.warning("cannot check the user's access token: %s", error)
    return failure_page(KEYS_UNAVAILABLE_PAGE)

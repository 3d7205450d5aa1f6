"""CSRF protection for every POST, PUT, PATCH and DELETE, the app's own forms included. Quart
has no maintained CSRF extension, so this is the check WTForms' CSRF extensions make, in
their format (salt `wtf-csrf-token`, field `csrf_token`): the session keeps a random token,
each page's `csrf_token()` is that token signed with SECRET_KEY, and an
unsafe request must send it back as the form field `csrf_token` or the `X-CSRFToken` header.
A request without it gets the 403 page (error_pages.py). Routes that other sites or machines
call with their own credentials are exempt where they are declared (`csrf.exempt(...)`: the
bearer-token API, Logto's back-channel logout)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from itsdangerous import BadData, URLSafeTimedSerializer
from quart import Blueprint, Quart, current_app, g, request, session

FIELD = "csrf_token"  # the form field, and the session key of the raw token
HEADERS = ("X-CSRFToken", "X-CSRF-Token")
SALT = "wtf-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Exempted = TypeVar("Exempted", bound=Callable[..., Any] | Blueprint)


class CsrfRefused(Exception):
    """An unsafe request without this session's CSRF token."""


class CsrfProtect:
    def __init__(self) -> None:
        self._exempt_views: set[str] = set()
        self._exempt_blueprints: set[str] = set()

    def init_app(self, app: Quart) -> None:
        app.jinja_env.globals["csrf_token"] = csrf_token
        app.before_request(self.protect)

    def exempt(self, view: Exempted) -> Exempted:
        """Leave a view (or every view of a blueprint) unchecked."""
        if isinstance(view, Blueprint):
            self._exempt_blueprints.add(view.name)
        else:
            self._exempt_views.add(f"{view.__module__}.{view.__name__}")
        return view

    async def protect(self) -> None:
        if request.method not in UNSAFE_METHODS or self._is_exempt():
            return
        submitted = next(filter(None, (request.headers.get(name) for name in HEADERS)), None)
        if submitted is None:
            submitted = (await request.form).get(FIELD)
        if not token_matches(submitted):
            raise CsrfRefused

    def _is_exempt(self) -> bool:
        if request.endpoint is None:  # no such route: a 404 or 405 follows, nothing runs
            return True
        if request.blueprint in self._exempt_blueprints:
            return True
        view = current_app.view_functions.get(request.endpoint)
        return view is not None and f"{view.__module__}.{view.__name__}" in self._exempt_views


csrf = CsrfProtect()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)  # type: ignore[arg-type]


def csrf_token() -> str:
    """This session's token for a form (the same for every form of one request)."""
    if "csrf_token" not in g:
        if FIELD not in session:
            session[FIELD] = secrets.token_hex(20)
        g.csrf_token = _serializer().dumps(session[FIELD])
    return str(g.csrf_token)


def token_matches(submitted: str | None) -> bool:
    expected = session.get(FIELD)
    if not submitted or not isinstance(expected, str):
        return False
    try:
        raw = _serializer().loads(submitted)
    except BadData:
        return False
    return isinstance(raw, str) and hmac.compare_digest(raw, expected)


def register_csrf(app: Quart) -> None:
    csrf.init_app(app)

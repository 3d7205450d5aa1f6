"""CSRF protection for every POST, PUT, PATCH and DELETE, the app's own forms included:
Flask-WTF's `CSRFProtect`. A form sends the template's `csrf_token()` as a hidden field
named `csrf_token` (JavaScript: the `X-CSRFToken` header); a request without it gets the 403
page (error_pages.py). Routes that other sites or machines call with their own credentials
are exempt where they are declared (`csrf.exempt(...)`: the bearer-token API, Logto's
back-channel logout)."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect  # type: ignore[import-untyped]  # no py.typed

csrf = CSRFProtect()


def register_csrf(app: Flask) -> None:
    # A page's form stays valid as long as its session (Flask-WTF's default is one hour).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    csrf.init_app(app)

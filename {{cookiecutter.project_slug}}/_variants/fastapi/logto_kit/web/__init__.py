"""Signing in with Logto, for this project's web framework: what the app's own code uses.

    from logto_kit.web import CurrentUser, current_user, flash, page_templates, user_signed_in

`init_app(app, templates)` adds it all to an app (extension.py); `init_setup_page(app,
templates)` is the development server's page while settings are missing.
"""

from ..auth.events import user_signed_in
from .csrf import csrf
from .extension import init_app, init_setup_page, serve_development
from .flashes import flash
from .signed_in import (
    CurrentUser,
    current_user,
    current_userinfo,
    login_required,
    logto_auth,
)
from .templates import PageTemplates, page_templates

__all__ = [
    "CurrentUser",
    "PageTemplates",
    "csrf",
    "current_user",
    "current_userinfo",
    "flash",
    "init_app",
    "init_setup_page",
    "login_required",
    "logto_auth",
    "page_templates",
    "serve_development",
    "user_signed_in",
]

"""Signing in with Logto, for this project's web framework: what the app's own code uses.

    from logto_kit.web import current_user, login_required, user_signed_in

`init_app(app)` adds it all to an app (extension.py); `init_setup_page(app)` is the
development server's page while settings are missing.
"""

from ..auth.events import user_signed_in
from .csrf import csrf
from .extension import init_app, init_setup_page, serve_development
from .signed_in import current_user, current_userinfo, login_required, logto_auth

__all__ = [
    "csrf",
    "current_user",
    "current_userinfo",
    "init_app",
    "init_setup_page",
    "login_required",
    "logto_auth",
    "serve_development",
    "user_signed_in",
]

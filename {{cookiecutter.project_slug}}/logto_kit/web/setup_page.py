"""The development server's first run: while settings are missing or placeholders, every page
is a setup page that lists all of them at once, each with where its value is found, and the
quickest path (`logto provision`). Production servers never show it: they refuse to start.

The settings are read again on every request, so the page follows the edits to `.env`; the
development server restarts itself when `.env` changes, and then serves the app.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..about import WEB_FRAMEWORK
from ..settings import (
    LOCAL_HOSTS,
    PROJECT_ROOT,
    SettingsError,
    load_settings,
    origin_problem,
    read_env,
)

SETUP_STATUS = 503  # not the app yet: nothing may cache it or take it for a working site
SETUP_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
ENV_FILE = PROJECT_ROOT / ".env"
#: Where the development server listens when APP_BASE_URL is not usable yet.
FALLBACK_ADDRESS = ("127.0.0.1", 8000)


def settings_problems() -> list[str]:
    """What is wrong with the settings now (none when the app can start)."""
    try:
        load_settings()
    except SettingsError as error:
        return error.problems
    return []


def setup_context() -> dict[str, Any]:
    """The setup page's template values."""
    command = f"{WEB_FRAMEWORK.lower()} logto provision"
    return {
        "problems": settings_problems(),
        "env_file": ENV_FILE.relative_to(PROJECT_ROOT).as_posix(),  # never where it lives
        "provision": command,
        "title": "Set up this app",
        "user": None,
    }


def dev_server_address() -> tuple[str, int, bool]:
    """Where `python -m <package>` listens (APP_BASE_URL's host and port) and whether with
    the debugger: only on a loopback host, never where another machine could reach it."""
    url = (read_env(ENV_FILE).get("APP_BASE_URL") or "").strip().removesuffix("/")
    if not url or origin_problem(url):
        host, port = FALLBACK_ADDRESS
        return host, port, True
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or FALLBACK_ADDRESS[0]
    if host in LOCAL_HOSTS:
        return host, port, True
    return FALLBACK_ADDRESS[0], port, False  # a public name: serve locally, no debugger

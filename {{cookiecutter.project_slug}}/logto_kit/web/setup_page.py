"""The development server's first run: while settings are missing or placeholders, every page
is a setup page that lists all of them at once, each with where its value is found (the same
values `logto doctor` and `logto provision` name: setup_status.py), the chosen connectors'
credentials still missing, and the quickest path (`logto provision`, with the three values it
needs). Production servers never show it: they refuse to start.

The settings are read again on every request, so the page follows the edits to `.env`; the
development server restarts itself when `.env` changes, and then serves the app.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..settings import (
    LOCAL_HOSTS,
    PROJECT_ROOT,
    PROVISION_COMMAND,
    WHERE_TO_FIND,
    origin_problem,
    read_env,
)
from ..setup_status import QUICKEST_PATH, missing_values

SETUP_STATUS = 503  # not the app yet: nothing may cache it or take it for a working site
SETUP_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
ENV_FILE = PROJECT_ROOT / ".env"
#: Where the development server listens when APP_BASE_URL is not usable yet.
FALLBACK_ADDRESS = ("127.0.0.1", 8000)


def setup_context() -> dict[str, Any]:
    """The setup page's template values: what the app needs (none when it can start), what
    the connectors wait for, and the quickest path's values with where each is found."""
    missing = missing_values(read_env(ENV_FILE))
    return {
        "problems": [value.problem for value in missing if value.waiting is None],
        "waiting": [value.problem for value in missing if value.waiting is not None],
        "quickest": [(name, WHERE_TO_FIND[name]) for name in QUICKEST_PATH],
        "env_file": ENV_FILE.relative_to(PROJECT_ROOT).as_posix(),  # never where it lives
        "provision": PROVISION_COMMAND,
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

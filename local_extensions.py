"""Jinja extensions this template asks cookiecutter to load (`_extensions` in cookiecutter.json).

`QuietHookFailures` adds no template syntax. Loading it quiets one log record: when a hook of
this template refuses an answer, the hook has already printed one `error:` line saying what
to fix, and cookiecutter's traceback of the hook's exit status would only bury it. Other
errors (a template bug such as an undefined variable) keep their traceback.

`ServerPort` adds the `server_port` filter, the port the production server listens on (the
URL's, else 8000 behind a proxy), and the `portless` test.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment
from jinja2.ext import Extension


class _DropFailedHookTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, FailedHookException)


_FILTER = _DropFailedHookTraceback()


class QuietHookFailures(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        hooks_logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(f, _DropFailedHookTraceback) for f in hooks_logger.filters):
            hooks_logger.addFilter(_FILTER)


#: Where the production server listens when `app_base_url` names no port: a reverse proxy
#: (the TLS terminator) serves the URL and forwards to it.
PROXIED_PORT = 8000


def server_port(base_url: str) -> int:
    """`app_base_url`'s port (`http://localhost:5000` -> 5000), else `PROXIED_PORT`.

    Files are rendered after the pre-generation hook has checked the URL."""
    port = urlsplit(base_url).port
    return PROXIED_PORT if port is None else port


def is_portless(base_url: str) -> bool:
    """Whether `app_base_url` names no port (`https://app.example.com`)."""
    return urlsplit(base_url).port is None


class ServerPort(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["server_port"] = server_port
        environment.tests["portless"] = is_portless

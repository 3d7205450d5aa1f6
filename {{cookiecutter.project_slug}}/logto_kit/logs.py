"""Logging an operator can use: the app's loggers (`app.logger`, `logging.getLogger(__name__)`
in any module) write one line per event to stderr, where the production server's own log
goes, from LOG_LEVEL (`.env`) up. A logging set-up of your own (handlers on the root logger,
e.g. from `logging.config.dictConfig` before `create_app`) is left as it is."""

from __future__ import annotations

import logging

LINE_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"  # as gunicorn's own lines


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if root.handlers:  # configured already: by the owner, a test runner, or a previous call
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LINE_FORMAT, DATE_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)

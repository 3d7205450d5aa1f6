"""A Jinja extension this template asks cookiecutter to load (`_extensions` in cookiecutter.json).

It adds no template syntax. Loading it quiets one log record: when a hook of this template
refuses an answer, the hook has already printed one `error:` line saying what to fix, and
cookiecutter's traceback of the hook's exit status would only bury it. Other errors (a
template bug such as an undefined variable) keep their traceback.
"""

from __future__ import annotations

import logging

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

"""The session store's first check, at start: a store that cannot be reached is one log line,
and the app starts anyway (its pages answer 503 until the store answers): an outage never
stops the service. A store that holds something else (another app's table) stops the start."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..masking import masked
from ..settings import SettingsError
from .server_side import SessionStore

logger = logging.getLogger(__name__)


def check_at_start(store: SessionStore, problem: Callable[[Exception], str]) -> None:
    """Make `store` ready; when it fails, log `problem(error)` as one line and go on."""
    try:
        store.ensure_ready()
    except SettingsError:
        raise
    except Exception as error:
        logger.warning("%s; pages answer 503 until it does", problem(error))


def unreachable(what: str, variable: str, address: str, error: BaseException, fix: str) -> str:
    """`cannot reach <what> at <address, password masked> (<variable>): <reason>: <fix>`."""
    error = getattr(error, "orig", None) or error  # SQLAlchemy's: the driver's own error
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"cannot reach {what} at {masked(address)} ({variable}): {reason}: {fix}"

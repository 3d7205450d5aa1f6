"""Whether the session store answers: at start, for `/readyz` and for `logto doctor`.

At start a store that cannot be reached is one log line, and the app starts anyway (its pages
answer 503 until the store answers): an outage never stops the service. A store that holds
something else (another app's table) stops the start. Every check takes at most the store's
own time limits."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ..masking import masked
from ..settings import PROJECT_ROOT, SettingsError
from .server_side import SessionStore
from .store_settings import StoreSettings, store_fields

logger = logging.getLogger(__name__)


def check_at_start(store: SessionStore) -> None:
    """Make `store` ready; when it fails, log one line (what, where, why, what to do) and go on."""
    try:
        store.ensure_ready()
    except SettingsError:
        raise
    except Exception as error:
        logger.warning(
            "%s: %s; pages answer 503 until it does", store.unreachable(error), store.fix
        )


def store_problem(store: SessionStore) -> str | None:
    """Readiness (`/readyz`): None when `store` answers (made ready first when an outage left
    it unready), else one line saying what is down."""
    try:
        store.ensure_ready()
        store.ping()
    except Exception as error:
        store.not_ready()  # the next request prepares it again, as after any failure
        return store.unreachable(error)
    return None


def check_store(values: Mapping[str, str]) -> tuple[bool, str] | None:
    """`logto doctor`: whether the store that `values` (`.env`) name answers, with one line to
    print (what to do when it does not); None when those settings are missing or malformed
    (the settings' own check says so). A SQLite file or a session folder that is not there
    yet is made, as the app makes it at start."""
    from .store import new_store  # imported here: store.py imports this module

    try:
        settings = StoreSettings(**store_fields(values, PROJECT_ROOT))
    except (KeyError, ValueError):
        return None
    try:
        store = new_store(settings)
    except SettingsError as error:  # a URL no installed driver can open
        return False, str(error)
    try:
        store.ping()
    except Exception as error:
        return False, f"{store.unreachable(error)}: {store.fix}"
    finally:
        store.close()
    return True, f"the session store answers at {store.address}"


def unreachable(what: str, variable: str, address: str, error: BaseException) -> str:
    """`cannot reach <what> at <address, password masked> (<variable>): <reason>`."""
    error = getattr(error, "orig", None) or error  # SQLAlchemy's: the driver's own error
    text = str(error).strip()
    reason = text.splitlines()[0].rstrip(".") if text else type(error).__name__
    return f"cannot reach {what} at {masked(address)} ({variable}): {reason}"

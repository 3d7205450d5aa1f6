"""Sign-ins started in this session that have not come back yet, each under its OAuth `state`.

The SDK keeps one (`signInSession`), so a sign-in started in a second tab would replace the
first tab's, and the first tab to come back would fail. Each pending sign-in keeps the SDK's
record and the path to return to; at most MAX_PENDING of them, for PENDING_SECONDS, so the
session (a cookie, perhaps) stays small.
"""

from __future__ import annotations

import json
import time
from collections.abc import MutableMapping
from typing import Any, TypedDict, cast

PENDING_KEY = "app.pending_sign_ins"
MAX_PENDING = 3
PENDING_SECONDS = 15 * 60


class Pending(TypedDict):
    sdk: str  # the SDK's signInSession: redirect URI, PKCE verifier, state
    return_to: str
    at: int  # when it started, epoch seconds
    order: int  # 1 for the first started, then 2, ... (a cookie session keeps no key order)


class PendingSignIns:
    def __init__(self, session: MutableMapping[str, Any]) -> None:
        self._session = session  # the framework's session proxy

    def add(self, sdk_sign_in_session: str, return_to: str) -> None:
        """Keep a sign-in the SDK just started; the oldest goes beyond MAX_PENDING."""
        state = str(json.loads(sdk_sign_in_session)["state"])
        now = int(time.time())
        pending = self._live(self._stored(), now)
        order = 1 + max((entry["order"] for entry in pending.values()), default=0)
        pending[state] = {
            "sdk": sdk_sign_in_session,
            "return_to": return_to,
            "at": now,
            "order": order,
        }
        for oldest in sorted(pending, key=lambda key: pending[key]["order"])[:-MAX_PENDING]:
            del pending[oldest]
        self._session[PENDING_KEY] = pending

    def get(self, state: str | None) -> Pending | None:
        """The pending sign-in of `state`, or None."""
        pending = self._live(self._stored(), int(time.time()))
        return pending.get(state) if state else None

    def remove(self, state: str) -> None:
        """`state`'s sign-in has come back and completed: no longer pending."""
        pending = self._live(self._stored(), int(time.time()))
        pending.pop(state, None)
        if pending:
            self._session[PENDING_KEY] = pending
        else:
            self._session.pop(PENDING_KEY, None)

    def newest(self) -> Pending | None:
        """The sign-in started last and still pending (it stays pending)."""
        pending = self._live(self._stored(), int(time.time()))
        return max(pending.values(), key=lambda entry: entry["order"], default=None)

    def _stored(self) -> dict[str, Pending]:
        stored = self._session.get(PENDING_KEY)
        return cast(dict[str, Pending], stored) if isinstance(stored, dict) else {}

    @staticmethod
    def _live(stored: dict[str, Pending], now: int) -> dict[str, Pending]:
        return {
            state: entry
            for state, entry in stored.items()
            if isinstance(entry, dict)
            and isinstance(entry.get("order"), int)
            and now - int(entry.get("at", 0)) < PENDING_SECONDS
        }

"""The current request's session, as one object for the whole app.

The session middleware (interface.py) opens each request's session, puts it in
`request.session` (Starlette's own place for it) and in a context variable for the request's
task; `session` below reads that variable, so the sign-in flow (auth/), created once per app,
always works on the session of the request it serves. Sync dependencies and views run in
worker threads with a copy of the request's context, and see the same session object.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any

CURRENT_SESSION: ContextVar[MutableMapping[str, Any]] = ContextVar("session")


class RequestSession(MutableMapping[str, Any]):
    """The session of the request being served; outside one, a `RuntimeError`."""

    @staticmethod
    def current() -> MutableMapping[str, Any]:
        try:
            return CURRENT_SESSION.get()
        except LookupError:
            raise RuntimeError("no session: this runs outside a request") from None

    def __getitem__(self, key: str) -> Any:
        return self.current()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.current()[key] = value

    def __delitem__(self, key: str) -> None:
        del self.current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.current())

    def __len__(self) -> int:
        return len(self.current())

    def get(self, key: str, default: Any = None) -> Any:
        return self.current().get(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        return self.current().pop(key, *default)

    def clear(self) -> None:
        self.current().clear()


session = RequestSession()

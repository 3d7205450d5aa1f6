"""The Logto SDK's storage, kept in the web framework's session."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from logto import Storage
from logto.Storage import PersistKey

KEY_PREFIX = "logto."


class SessionStorage(Storage):
    """Stores the SDK's values (ID token, tokens, sign-in session) under `logto.*` session keys.

    `session` is the web framework's session proxy, which resolves to the current request's
    session, so one instance serves every request.
    """

    def __init__(self, session: MutableMapping[str, Any]) -> None:
        self._session = session

    def get(self, key: PersistKey) -> str | None:
        value = self._session.get(KEY_PREFIX + key)
        return value if isinstance(value, str) else None

    def set(self, key: PersistKey, value: str | None) -> None:
        if value is None:
            self.delete(key)
        else:
            self._session[KEY_PREFIX + key] = value

    def delete(self, key: PersistKey) -> None:
        self._session.pop(KEY_PREFIX + key, None)

"""The Logto SDK's storage, kept in the web framework's session."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from logto import Storage
from logto.Storage import PersistKey

KEY_PREFIX = "logto."
ID_TOKEN_KEY = KEY_PREFIX + "idToken"


def holds_sign_in(data: Mapping[str, Any]) -> bool:
    """Whether a session's data holds a signed-in user (an ID token): what a server-side
    store keeps. A session without one is a signed-out visitor's."""
    return isinstance(data.get(ID_TOKEN_KEY), str)


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

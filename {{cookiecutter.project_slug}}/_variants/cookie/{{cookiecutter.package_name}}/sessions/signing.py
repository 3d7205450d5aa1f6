"""The signed session cookie's serializer: made once per key, and checking each cookie once.

Flask's and Quart's cookie sessions make a new serializer on every request and check the
cookie's signature, age, compression and JSON every time, though a browser sends the same
cookie on every request of a sign-in; that is most of what opening a session costs. Here
the serializer is made once per SECRET_KEY (and SECRET_KEY_FALLBACKS), and a cookie that
passed every check is remembered (by its exact value, signature included): the next request
with it gets a fresh copy of its data after only the age check. Only values that were
verified are remembered; an altered byte is a new value, checked in full. The format is the
framework's own, unchanged.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any

from itsdangerous import URLSafeTimedSerializer

SerializerKey = tuple[Any, tuple[Any, ...]]
MAX_SERIALIZERS = 4  # keys change when the operator rotates SECRET_KEY: a handful at most
MAX_REMEMBERED = 1024  # cookies of a few KB: a few MB per worker at most


class RememberingSerializer(URLSafeTimedSerializer):
    """`URLSafeTimedSerializer` that checks a cookie value in full once, then only its age."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verified: OrderedDict[str | bytes, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def loads(  # type: ignore[override]
        self,
        s: str | bytes,
        max_age: int | None = None,
        return_timestamp: bool = False,
        salt: str | bytes | None = None,
    ) -> Any:
        if return_timestamp or salt is not None:
            return super().loads(s, max_age, return_timestamp, salt)
        with self._lock:
            remembered = self._verified.get(s)
        if remembered is not None:
            data, signed_at = remembered
            age = int(time.time()) - signed_at
            if age >= 0 and (max_age is None or age <= max_age):
                return copy.deepcopy(data)
        data, signed = super().loads(s, max_age, return_timestamp=True)  # raises when bad
        with self._lock:
            self._verified[s] = (copy.deepcopy(data), int(signed.timestamp()))
            while len(self._verified) > MAX_REMEMBERED:
                self._verified.popitem(last=False)
        return data


def signing_serializer(
    interface: Any,
    secret_key: Any,
    fallbacks: list[Any] | None,
    kept: MutableMapping[SerializerKey, RememberingSerializer],
) -> RememberingSerializer | None:
    """The serializer of a framework's `SecureCookieSessionInterface` (`interface`: its salt,
    JSON serializer, key derivation and digest) for these keys, made once."""
    if not secret_key:
        return None
    key = (secret_key, tuple(fallbacks or ()))
    serializer = kept.get(key)
    if serializer is None:
        signer = {
            "key_derivation": interface.key_derivation,
            "digest_method": interface.digest_method,
        }
        serializer = RememberingSerializer(
            [*(fallbacks or ()), secret_key],  # itsdangerous expects the current key last
            salt=interface.salt,
            serializer=interface.serializer,
            signer_kwargs=signer,
        )
        if len(kept) >= MAX_SERIALIZERS:
            kept.clear()
        kept[key] = serializer
    return serializer

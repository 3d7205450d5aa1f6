"""Logto's published signing keys, for tokens anyone can send to this app (the API's access
tokens, Logto's logout tokens), with no web framework inside: the key a token's header
names, and the one algorithm that key signs with.

Only public-key algorithms count (an HMAC "signed" with the public key, or `none`, is a
forgery), and a header must ask for its key's own algorithm (RS256 for an EC key is refused
before any verification). A key id Logto does not publish makes the keys be fetched again
(Logto may have just rotated them), but at most once per `refetch_every` seconds: each
made-up key id must not cost a request to Logto.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

from jwt import PyJWK, PyJWKClient, PyJWKClientConnectionError, PyJWKClientError

ASYMMETRIC_ALGORITHMS = frozenset(
    {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"}
)


class UnknownKey(Exception):
    """The header names no key Logto publishes (or no key at all)."""


class WrongAlgorithm(Exception):
    """The header asks for another algorithm than its key's, or for no public-key one."""


class KeysUnavailable(Exception):
    """Logto's keys cannot be fetched (or are unusable) now: try again later."""


class PublishedKeys:
    """The keys of one Logto, read through `jwks` (a cached, time-limited JWKS client)."""

    def __init__(self, jwks: PyJWKClient, refetch_every: float) -> None:
        self.jwks, self.refetch_every = jwks, refetch_every
        self._last_refetch = float("-inf")
        self._refetch_lock = threading.Lock()

    def cached(self, kid: object) -> PyJWK | None:
        """The key `kid` from the cache, without a request (None: not cached)."""
        cache = self.jwks.jwk_set_cache
        jwk_set = cache.get() if cache is not None else None
        if jwk_set is None:
            return None
        return next((key for key in jwk_set.keys if key.key_id == kid), None)

    def find(self, kid: object) -> PyJWK:
        """The key `kid`, fetching the keys if they are not cached or do not hold it (may
        block for the client's time limit: async callers run this in a thread)."""
        if not isinstance(kid, str) or not kid:
            raise UnknownKey("the token names no signing key (kid)")
        try:
            for key in self.jwks.get_signing_keys():
                if key.key_id == kid:
                    return key
            with self._refetch_lock:
                if time.monotonic() - self._last_refetch < self.refetch_every:
                    raise UnknownKey(f"Logto publishes no key {kid!r}")
                self._last_refetch = time.monotonic()
            for key in self.jwks.get_signing_keys(refresh=True):
                if key.key_id == kid:
                    return key
        except PyJWKClientConnectionError as error:
            raise KeysUnavailable(f"fetching Logto's keys failed: {error}") from error
        except PyJWKClientError as error:  # an empty or unreadable key set
            raise KeysUnavailable(f"Logto's keys are unusable: {error}") from error
        raise UnknownKey(f"Logto publishes no key {kid!r}")

    def load(self) -> None:
        """Fetch the keys now (at start), so no request waits for them."""
        try:
            self.jwks.get_jwk_set()
        except PyJWKClientError as error:
            raise KeysUnavailable(f"fetching Logto's keys failed: {error}") from error


def key_algorithm(header: Mapping[str, Any], key: PyJWK) -> str:
    """The algorithm to verify with: the key's own, which the header must ask for."""
    algorithm = str(header.get("alg"))
    if algorithm not in ASYMMETRIC_ALGORITHMS:
        raise WrongAlgorithm(f"the signature algorithm {algorithm!r} is not accepted")
    if algorithm != key.algorithm_name:
        raise WrongAlgorithm(
            f"the token's algorithm {algorithm!r} is not its key's ({key.algorithm_name})"
        )
    return algorithm

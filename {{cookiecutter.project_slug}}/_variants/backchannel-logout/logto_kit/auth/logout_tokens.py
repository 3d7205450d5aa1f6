"""Logto's logout tokens, checked as OpenID Connect Back-Channel Logout 1.0 (section 2.6) says.

When a user's Logto session ends (a sign-out at Logto, from this app or another one), Logto
POSTs a logout token to this app's back-channel logout URI. It is a JWT that Logto signs like
an ID token (ES384 by default, RS256 where the tenant's key is RSA) and that anyone can try to
forge, so every rule is checked before any session ends:

- the signature, against Logto's published keys (the app's JWKS client and its time limits),
  with the algorithm of the key: `none`, HS* and a header `alg` other than the key's are
  refused; a `typ` header, when present, must be `logout+jwt`;
- `iss` is `{LOGTO_ENDPOINT}/oidc`, `aud` is this app's id;
- `iat` is present, not in the future (beyond LEEWAY_SECONDS) and not older than
  MAX_AGE_SECONDS; `exp`, when present, has not passed (Logto sends none);
- `jti` is present (the caller refuses one seen before: `LogoutRequest.remember_until`);
- `events` holds `http://schemas.openid.net/event/backchannel-logout` with a JSON object;
- `sid` and/or `sub` are present, and `nonce` is absent (an ID token is not a logout token).

No web framework or session store here: `web/logout_token_receiver.py` puts this to use.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWTError

from .published_keys import (
    PublishedKeys,
    UnknownKey,
    WrongAlgorithm,
    key_algorithm,
)

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_TYPES = frozenset({"logout+jwt", "application/logout+jwt"})
LEEWAY_SECONDS = 30  # clocks of Logto and this app may differ a little
#: Logto sends the token the moment the session ends and never retries, so an older one is a
#: replay (its `jti` is remembered this long at least).
MAX_AGE_SECONDS = 5 * 60
#: How long a `jti` is remembered at most (a token with a far `exp` is still refused after
#: MAX_AGE_SECONDS by its `iat`).
MAX_REMEMBER_SECONDS = 24 * 60 * 60
#: A token whose key id Logto does not publish fetches the keys again at most this often:
#: anyone can POST a logout token, and each unknown key id must not cost a request to Logto.
UNKNOWN_KEY_REFETCH_SECONDS = 60.0


class InvalidLogoutToken(Exception):
    """The token breaks a rule (the message says which): answer 400, end nothing."""


@dataclass(frozen=True)
class LogoutRequest:
    """What a valid logout token asks: end Logto session `sid` (or, without one, every
    session of user `sub`); its `jti` must be refused until `remember_until` (epoch seconds)."""

    jti: str
    sid: str | None
    sub: str | None
    remember_until: int


class LogoutTokenValidator:
    """Checks logout tokens for one app (`issuer`, `audience`) against Logto's keys, read
    through `jwks_client` (the app's own: cached, time-limited). Calls may block on a key fetch
    (at most the client's time limit): async callers run `validate` in a thread."""

    def __init__(self, jwks_client: PyJWKClient, issuer: str, audience: str) -> None:
        self.issuer, self.audience = issuer, audience
        self.keys = PublishedKeys(jwks_client, refetch_every=UNKNOWN_KEY_REFETCH_SECONDS)

    def validate(self, token: str | None, now: float | None = None) -> LogoutRequest:
        """The request `token` makes, or `InvalidLogoutToken` / `KeysUnavailable`."""
        if not token:
            raise InvalidLogoutToken("logout_token is missing")
        try:
            header = jwt.get_unverified_header(token)
        except PyJWTError as error:
            raise InvalidLogoutToken(f"not a JWT: {error}") from error
        typ = header.get("typ")
        if typ is not None and str(typ).lower() not in LOGOUT_TOKEN_TYPES:
            raise InvalidLogoutToken(f"typ {typ!r} is not logout+jwt")
        try:
            key = self.keys.find(header.get("kid"))
            algorithm = key_algorithm(header, key)
        except (UnknownKey, WrongAlgorithm) as error:
            raise InvalidLogoutToken(str(error)) from error
        now = time.time() if now is None else now
        claims = self._verified_claims(token, key, algorithm, now)
        return _logout_request(claims, now)

    def _verified_claims(
        self, token: str, key: PyJWK, algorithm: str, now: float
    ) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "iat", "jti"], "verify_iat": False},
            )
        except PyJWTError as error:
            raise InvalidLogoutToken(str(error) or type(error).__name__) from error
        iat = claims["iat"]
        if not isinstance(iat, int | float) or isinstance(iat, bool):
            raise InvalidLogoutToken("iat is not a number of seconds")
        if iat > now + LEEWAY_SECONDS:
            raise InvalidLogoutToken("iat is in the future")
        if iat < now - MAX_AGE_SECONDS:
            raise InvalidLogoutToken(f"iat is more than {MAX_AGE_SECONDS} seconds old")
        return claims


def _logout_request(claims: dict[str, Any], now: float) -> LogoutRequest:
    events = claims.get("events")
    if not isinstance(events, dict) or LOGOUT_EVENT not in events:
        raise InvalidLogoutToken(f"events does not hold {LOGOUT_EVENT}")
    if not isinstance(events[LOGOUT_EVENT], dict):
        raise InvalidLogoutToken("the back-channel logout event is not a JSON object")
    if "nonce" in claims:
        raise InvalidLogoutToken("a logout token has no nonce")
    jti, sid, sub = claims.get("jti"), claims.get("sid"), claims.get("sub")
    if not isinstance(jti, str) or not jti:
        raise InvalidLogoutToken("jti is missing")
    sid = sid if isinstance(sid, str) and sid else None
    sub = sub if isinstance(sub, str) and sub else None
    if sid is None and sub is None:
        raise InvalidLogoutToken("neither sid nor sub is present")
    until = int(claims["iat"]) + MAX_AGE_SECONDS + LEEWAY_SECONDS
    exp = claims.get("exp")
    if isinstance(exp, int | float):  # PyJWT has checked that it has not passed
        until = max(until, int(exp) + LEEWAY_SECONDS)
    return LogoutRequest(jti, sid, sub, min(until, int(now) + MAX_REMEMBER_SECONDS))

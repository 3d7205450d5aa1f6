"""Bearer access tokens for this app's API, checked as RFC 9068 (JWT access tokens) and
RFC 6750 (bearer tokens) say, with no web framework inside.

Logto issues a JWT for an API resource: signed with the tenant's key (ES384 by default for a
self-hosted Logto, RS256 on some tenants), `typ` `at+jwt`, `iss` `{endpoint}/oidc`, `aud` the
resource indicator, and the permissions the subject holds through its roles in `scope`. A
token from a machine-to-machine app (client credentials) has the same shape; its `sub` is the
app's id. Every check below must pass:

* the signature verifies with the key named by `kid`, under that key's own algorithm: a header
  asking for another algorithm (`none`, HS256 keyed with the public key, RS256 for an EC key)
  is refused before any verification;
* `typ` is `at+jwt` (an ID token, signed by the same key, is not an access token);
* `iss`, `aud`, `exp` (with LEEWAY_SECONDS for clocks), `iat` and `sub` are present and right;
* the route's scopes are all in `scope` (`require_scopes`).

Keys come from Logto's JWKS and are cached (auth/published_keys.py). Anyone can send a
token naming an unknown key, so such a token makes at most one JWKS fetch per
JWKS_REFETCH_SECONDS; a key Logto has just rotated in is found on the first fetch after that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient

from ..auth.published_keys import (
    PublishedKeys,
    UnknownKey,
    WrongAlgorithm,
    key_algorithm,
)

ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
LEEWAY_SECONDS = 10
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
JWKS_TIMEOUT_SECONDS = 10.0
JWKS_CACHE_SECONDS = 24 * 60 * 60
JWKS_REFETCH_SECONDS = 5.0
MAX_TOKEN_LENGTH = 16 * 1024  # far above any Logto token; a bigger header is refused unread


class BearerError(Exception):
    """A request the API refuses, with what RFC 6750 says to answer: `status`, the
    `error` code (None when no token was sent), a description, and the scopes needed."""

    status = 401
    error: str | None = "invalid_token"

    def __init__(self, description: str, scopes: Iterable[str] = ()) -> None:
        super().__init__(description)
        self.description = description
        self.scopes = tuple(scopes)

    def www_authenticate(self, realm: str) -> str:
        """The `WWW-Authenticate` header value (RFC 6750, section 3)."""
        params = {"realm": realm}
        if self.error is not None:
            params["error"] = self.error
            params["error_description"] = self.description
        if self.scopes:
            params["scope"] = " ".join(self.scopes)
        quoted = ", ".join(f'{key}="{_quoted(value)}"' for key, value in params.items())
        return f"Bearer {quoted}"

    def body(self) -> dict[str, str]:
        """The JSON body: the same error and description as the header."""
        body = {"error": self.error or "invalid_token", "error_description": self.description}
        if self.scopes:
            body["scope"] = " ".join(self.scopes)
        return body


class MissingToken(BearerError):
    """No `Authorization: Bearer` header: RFC 6750 answers 401 without an error code."""

    error = None


class InvalidRequest(BearerError):
    status = 400
    error = "invalid_request"


class InvalidToken(BearerError):
    """Expired, revoked, malformed, for another API, or not signed by Logto."""


class InsufficientScope(BearerError):
    status = 403
    error = "insufficient_scope"


@dataclass(frozen=True)
class VerifiedToken:
    """A checked access token: who it speaks for and what it allows."""

    subject: str  # a user's id, or a machine-to-machine app's id
    client_id: str | None  # the app it was issued to
    scopes: frozenset[str]
    organization_id: str | None
    claims: Mapping[str, Any]

    def allows(self, *scopes: str) -> bool:
        return set(scopes) <= self.scopes

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "client_id": self.client_id,
            "scopes": sorted(self.scopes),
            "organization_id": self.organization_id,
        }


def bearer_token(authorization: list[str]) -> str:
    """The token of the request's `Authorization: Bearer <token>` header; `authorization` is
    the value of each Authorization header the request has. More than one is refused (400),
    never one of them picked: frameworks and proxies differ in which they take (one the first,
    another the last), and a WSGI server joins them with a comma, which no bearer token
    holds."""
    if len(authorization) > 1 or any("," in value for value in authorization):
        raise InvalidRequest("send one Authorization header, with one bearer token")
    if not authorization or not authorization[0].strip():
        raise MissingToken("send the access token as Authorization: Bearer <token>")
    scheme, _, token = authorization[0].strip().partition(" ")
    if scheme.lower() != "bearer":
        raise MissingToken(f"the {scheme[:20]!r} scheme is not accepted: use Bearer")
    token = token.strip()
    if not token or " " in token:
        raise InvalidRequest("the Authorization header holds no single bearer token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidRequest(f"the bearer token is longer than {MAX_TOKEN_LENGTH} characters")
    return token


def require_scopes(token: VerifiedToken, scopes: Iterable[str]) -> VerifiedToken:
    """`token` when it holds every one of `scopes`; else `InsufficientScope`."""
    needed = tuple(scopes)
    missing = [scope for scope in needed if scope not in token.scopes]
    if missing:
        raise InsufficientScope(f"the token lacks the scope {' '.join(missing)}", needed)
    return token


class AccessTokenVerifier:
    """Checks access tokens for one API resource (`audience`) from one Logto (`issuer`)."""

    def __init__(self, issuer: str, audience: str, jwks: PyJWKClient | None = None) -> None:
        self.issuer, self.audience = issuer, audience
        client = jwks or PyJWKClient(
            f"{issuer}/jwks",
            cache_jwk_set=True,
            lifespan=JWKS_CACHE_SECONDS,
            timeout=JWKS_TIMEOUT_SECONDS,
            headers={"accept": "application/json"},
            cooldown_duration=0,  # PublishedKeys bounds the refetches
        )
        self.keys = PublishedKeys(client, refetch_every=JWKS_REFETCH_SECONDS)

    def verify(self, token: str) -> VerifiedToken:
        """The checked token; raises `InvalidToken`, or `KeysUnavailable` when the JWKS cannot
        be fetched. May fetch the JWKS (blocking): `verify_async` keeps an event loop free."""
        header = _header(token)
        key = self.keys.cached(header["kid"]) or self._fetched_key(header["kid"])
        return self._checked(token, header, key)

    async def verify_async(self, token: str) -> VerifiedToken:
        """`verify`, fetching the JWKS in a worker thread when the key is not cached."""
        header = _header(token)
        key = self.keys.cached(header["kid"])
        if key is None:
            key = await asyncio.to_thread(self._fetched_key, header["kid"])
        return self._checked(token, header, key)

    def load_keys(self) -> None:
        """Fetch the JWKS now (at start), so no request waits for it."""
        self.keys.load()

    def _fetched_key(self, kid: str) -> PyJWK:
        try:
            return self.keys.find(kid)
        except UnknownKey as error:
            raise InvalidToken("the token is not signed by a key of this Logto") from error

    def _checked(self, token: str, header: dict[str, Any], key: PyJWK) -> VerifiedToken:
        try:
            algorithm = key_algorithm(header, key)
        except WrongAlgorithm as error:
            raise InvalidToken(str(error)) from error
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("the token has expired") from error
        except jwt.InvalidAudienceError as error:
            raise InvalidToken(f"the token is not for {self.audience}") from error
        except jwt.InvalidIssuerError as error:
            raise InvalidToken(f"the token is not from {self.issuer}") from error
        except jwt.InvalidSignatureError as error:
            raise InvalidToken("the token's signature does not verify") from error
        except jwt.PyJWTError as error:
            raise InvalidToken(f"the token is not valid: {error}") from error
        return _verified(claims)


def _header(token: str) -> dict[str, Any]:
    """The token's JOSE header: it must name a key and be an access token's."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken("the token is not a JWT") from error
    if not isinstance(header.get("kid"), str):
        raise InvalidToken("the token names no signing key (kid)")
    if str(header.get("typ", "")).lower() not in ACCESS_TOKEN_TYPES:
        raise InvalidToken("the token is not an access token (typ at+jwt)")
    return header


def _verified(claims: dict[str, Any]) -> VerifiedToken:
    scope, subject = claims.get("scope", ""), claims["sub"]
    if not isinstance(scope, str) or not isinstance(subject, str):
        raise InvalidToken("the token's scope or sub is not a string")
    client_id, organization_id = claims.get("client_id"), claims.get("organization_id")
    return VerifiedToken(
        subject=subject,
        client_id=client_id if isinstance(client_id, str) else None,
        scopes=frozenset(scope.split()),
        organization_id=organization_id if isinstance(organization_id, str) else None,
        claims=claims,
    )


def _quoted(value: str) -> str:
    """A value for a quoted-string of a header: no quotes, backslashes or control characters."""
    return "".join(c for c in value if c.isprintable() and c not in '"\\')

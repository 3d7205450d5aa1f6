"""Logout tokens as Logto makes them (claims, header `typ: logout+jwt`), signed by the fake
IdP's published keys, with any claim changed or left out; and forgeries no key matches."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.request
from collections.abc import Mapping
from typing import cast

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .fake_logto import FakeLogto

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
OMIT = object()  # a claim value that leaves the claim out
NO_DETAILS: dict[str, object] = {}  # the event's value, as Logto sends it


def logout_claims(logto: FakeLogto, **changes: object) -> dict[str, object]:
    """What Logto 1.37.1 puts in a logout token (oidc-provider's Client#backchannelLogout:
    iss, aud, iat, jti, sub, sid, events; no exp), with `changes` applied."""
    claims: dict[str, object] = {
        "iss": logto.issuer,
        "aud": logto.client_id,
        "iat": int(time.time()),
        "jti": secrets.token_urlsafe(16),
        "sub": "u-alice",
        "sid": logto.last_sid,
        "events": {LOGOUT_EVENT: NO_DETAILS},
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not OMIT}


def logout_token(logto: FakeLogto, algorithm: str = "ES384", **changes: object) -> str:
    """A logout token with `typ: logout+jwt` (a `typ` in `changes` replaces it)."""
    typ = str(changes.pop("typ", "logout+jwt"))
    return logto.sign(logout_claims(logto, **changes), algorithm, typ=typ)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _segments(header: Mapping[str, object], claims: Mapping[str, object]) -> str:
    return ".".join(_b64(json.dumps(part).encode()) for part in (header, claims))


def unsigned_token(logto: FakeLogto, **changes: object) -> str:
    """`alg: none`, naming the IdP's key."""
    header = {"alg": "none", "typ": "logout+jwt", "kid": logto.kid}
    return _segments(header, logout_claims(logto, **changes)) + "."


def hmac_with_public_key(logto: FakeLogto, public_key_pem: bytes, **changes: object) -> str:
    """HS256 whose secret is the IdP's public key (the classic algorithm confusion)."""
    header = {"alg": "HS256", "typ": "logout+jwt", "kid": logto.kid}
    signing_input = _segments(header, logout_claims(logto, **changes))
    mac = hmac.new(public_key_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def forged_token(
    logto: FakeLogto, algorithm: str = "ES384", kid: str | None = "", **changes: object
) -> str:
    """Signed by a key of the forger's own, under the IdP's key id (or `kid`; None: none)."""
    curve = ec.SECP256R1() if algorithm == "ES256" else ec.SECP384R1()
    key = ec.generate_private_key(curve)
    headers = {"typ": "logout+jwt"} | ({} if kid is None else {"kid": kid or logto.kid})
    return jwt.encode(logout_claims(logto, **changes), key, algorithm, headers=headers)


def public_key_pem(logto: FakeLogto) -> bytes:
    """The IdP's current public key, PEM, as anyone can read it from its JWKS."""
    with urllib.request.urlopen(f"{logto.issuer}/jwks", timeout=5) as response:
        keys = json.load(response)["keys"]
    jwk = next(key for key in keys if key["kid"] == logto.kid)
    public_key = cast(ec.EllipticCurvePublicKey, jwt.PyJWK.from_dict(jwk).key)
    pem_format = serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(serialization.Encoding.PEM, pem_format)

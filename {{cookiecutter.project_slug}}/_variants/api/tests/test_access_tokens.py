"""The API's access token checks, offline: tokens made here with made-up keys (ES384 as a
self-hosted Logto signs, RS256 as an RSA tenant does), served as JWKS by the fake Logto."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator
from typing import cast

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from logto_kit.api.access_tokens import (
    AccessTokenVerifier,
    InsufficientScope,
    InvalidRequest,
    InvalidToken,
    MissingToken,
    VerifiedToken,
    bearer_token,
    require_scopes,
)
from logto_kit.auth.published_keys import KeysUnavailable

from .fake_logto import RSA_KID, FakeLogto

API = "https://api.test.example"


@pytest.fixture
def idp() -> Iterator[FakeLogto]:
    with FakeLogto() as fake:
        fake.publish_rsa_key()
        yield fake


@pytest.fixture
def verifier(idp: FakeLogto) -> AccessTokenVerifier:
    return AccessTokenVerifier(idp.issuer, API)


def b64(data: object) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def public_pem(idp: FakeLogto, kid: str) -> bytes:
    """The PEM of the public key the JWKS publishes under `kid`."""
    keys = jwt.PyJWKClient(f"{idp.issuer}/jwks").get_jwk_set().keys
    key = next(k for k in keys if k.key_id == kid).key
    return cast(
        bytes,
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


@pytest.mark.parametrize("algorithm", ["ES384", "RS256"])
def test_a_token_of_either_algorithm_is_accepted(
    idp: FakeLogto, verifier: AccessTokenVerifier, algorithm: str
) -> None:
    token = idp.access_token("u-alice", API, "read:items write:items", algorithm=algorithm)
    checked = verifier.verify(token)
    assert checked.subject == "u-alice"
    assert checked.scopes == {"read:items", "write:items"}
    assert checked.client_id == idp.client_id
    assert require_scopes(checked, ["read:items"]) is checked


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"aud": "https://other-api.example"}, "not for https://api.test.example"),
        ({"iss": "https://evil.example/oidc"}, "not from"),
        ({"exp": int(time.time()) - 60}, "expired"),
        ({"exp": None}, "exp"),
        ({"iat": None}, "iat"),
        ({"sub": None}, "sub"),
        ({"scope": ["read:items"]}, "not a string"),
    ],
    ids=["other-api", "other-issuer", "expired", "no-exp", "no-iat", "no-sub", "scope-list"],
)
def test_a_token_with_a_wrong_claim_is_invalid(
    idp: FakeLogto, verifier: AccessTokenVerifier, changes: dict[str, object], problem: str
) -> None:
    token = idp.access_token("u-alice", API, "read:items", claims=changes)
    if any(value is None for value in changes.values()):  # drop the claim altogether
        claims = jwt.decode(token, options={"verify_signature": False})
        for name in changes:
            claims.pop(name)
        token = jwt.encode(
            claims, idp._key, algorithm="ES384", headers={"typ": "at+jwt", "kid": idp.kid}
        )
    with pytest.raises(InvalidToken, match=problem):
        verifier.verify(token)


def test_expiry_has_a_small_leeway(idp: FakeLogto, verifier: AccessTokenVerifier) -> None:
    verifier.verify(idp.access_token("u-alice", API, ttl=-5))
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(idp.access_token("u-alice", API, ttl=-30))


@pytest.mark.parametrize(
    "headers",
    [{"typ": "JWT"}, {"typ": None}, {"kid": None}],
    ids=["id-token-typ", "no-typ", "no-kid"],
)
def test_a_token_that_is_no_access_token_is_invalid(
    idp: FakeLogto, verifier: AccessTokenVerifier, headers: dict[str, object]
) -> None:
    token = idp.access_token("u-alice", API, "read:items")
    header = jwt.get_unverified_header(token)
    for name, value in headers.items():
        header[name] = value
    header = {k: v for k, v in header.items() if v is not None}
    claims = jwt.decode(token, options={"verify_signature": False})
    remade = jwt.encode(claims, idp._key, algorithm="ES384", headers=header)
    if "kid" not in header:  # PyJWT adds no kid by itself; typ it does
        remade = f"{b64(header)}.{remade.split('.', 1)[1]}"
    with pytest.raises(InvalidToken):
        verifier.verify(remade)


def test_algorithm_mix_ups_are_refused(idp: FakeLogto, verifier: AccessTokenVerifier) -> None:
    claims = jwt.decode(
        idp.access_token("u-alice", API, "read:items"), options={"verify_signature": False}
    )
    header = {"typ": "at+jwt", "kid": idp.kid}
    # `none`: no signature at all.
    unsigned = f"{b64({**header, 'alg': 'none'})}.{b64(claims)}."
    # HS256 keyed with the public key Logto publishes (the classic confusion attack).
    pem = public_pem(idp, idp.kid)
    hmac = jwt.api_jws.PyJWS(algorithms=["HS256"])
    hmac._algorithms["HS256"].prepare_key = lambda key: key  # type: ignore[method-assign]
    confused = hmac.encode(json.dumps(claims).encode(), pem, algorithm="HS256", headers=header)
    # RS256 claimed for the EC key, and ES384 claimed for the RSA key.
    assert idp.rsa_key is not None
    rs_for_ec = jwt.encode(claims, idp.rsa_key, algorithm="RS256", headers=header)
    es_for_rsa = jwt.encode(claims, idp._key, algorithm="ES384", headers={**header, "kid": RSA_KID})
    for token in (unsigned, confused, rs_for_ec, es_for_rsa):
        with pytest.raises(InvalidToken, match=r"algorithm|signature"):
            verifier.verify(token)


def test_a_forged_signature_is_invalid(idp: FakeLogto, verifier: AccessTokenVerifier) -> None:
    claims = jwt.decode(
        idp.access_token("u-alice", API, "read:items"), options={"verify_signature": False}
    )
    forged = jwt.encode(
        claims, idp._foreign_key, algorithm="ES384", headers={"typ": "at+jwt", "kid": idp.kid}
    )
    with pytest.raises(InvalidToken, match="signature"):
        verifier.verify(forged)
    header, _, signature = idp.access_token("u-alice", API, "read:items").split(".")
    more = b64({**claims, "scope": "read:items write:items"})
    with pytest.raises(InvalidToken, match="signature"):
        verifier.verify(f"{header}.{more}.{signature}")


def test_an_unknown_key_is_invalid_and_fetches_at_most_once_per_cooldown(
    idp: FakeLogto, verifier: AccessTokenVerifier
) -> None:
    verifier.load_keys()
    before = idp.request_count("/oidc/jwks")
    for _ in range(5):
        token = idp.access_token("u-alice", API, headers={"kid": "someone-elses-key"})
        with pytest.raises(InvalidToken, match="not signed by a key of this Logto"):
            verifier.verify(token)
    assert idp.request_count("/oidc/jwks") - before <= 1


def test_a_rotated_key_is_found(idp: FakeLogto, verifier: AccessTokenVerifier) -> None:
    verifier.load_keys()
    verifier.keys.refetch_every = 0  # as when the time between refetches has passed
    idp.rotate_key()
    assert verifier.verify(idp.access_token("u-alice", API)).subject == "u-alice"


def test_keys_out_of_reach_are_unavailable_not_invalid(
    idp: FakeLogto, verifier: AccessTokenVerifier
) -> None:
    idp.jwks_down = True
    with pytest.raises(KeysUnavailable):
        verifier.verify(idp.access_token("u-alice", API))


def test_verify_async_checks_the_same(idp: FakeLogto, verifier: AccessTokenVerifier) -> None:
    good = idp.access_token("u-a", API, "read:items")
    assert asyncio.run(verifier.verify_async(good)).subject == "u-a"
    expired = idp.access_token("u-a", API, ttl=-60)
    with pytest.raises(InvalidToken, match="expired"):
        asyncio.run(verifier.verify_async(expired))


def test_scopes_are_required_all() -> None:
    held = VerifiedToken("u", "app", frozenset({"read:items"}), None, {})
    with pytest.raises(InsufficientScope) as refused:
        require_scopes(held, ["read:items", "write:items"])
    assert refused.value.status == 403
    header = refused.value.www_authenticate(API)
    assert 'error="insufficient_scope"' in header
    assert 'scope="read:items write:items"' in header


@pytest.mark.parametrize(
    ("authorization", "refusal", "status"),
    [
        ([], MissingToken, 401),
        ([""], MissingToken, 401),
        (["Basic dXNlcjpwYXNz"], MissingToken, 401),
        (["Bearer"], InvalidRequest, 400),
        (["Bearer a b"], InvalidRequest, 400),
        (["Bearer " + "a" * 20_000], InvalidRequest, 400),
        (["Bearer a", "Bearer b"], InvalidRequest, 400),  # two headers: neither is taken
        (["Bearer a", ""], InvalidRequest, 400),
        (["Basic dXNlcjpwYXNz", "Bearer b"], InvalidRequest, 400),
        (["Bearer a,Bearer b"], InvalidRequest, 400),  # two headers a WSGI server joined
        (["Bearer a, b"], InvalidRequest, 400),
    ],
)
def test_the_request_must_hold_one_authorization_header_with_one_bearer_token(
    authorization: list[str], refusal: type[Exception], status: int
) -> None:
    with pytest.raises(refusal) as refused:
        bearer_token(authorization)
    assert refused.value.status == status  # type: ignore[attr-defined]


def test_a_missing_token_gets_a_challenge_without_error_code() -> None:
    with pytest.raises(MissingToken) as refused:
        bearer_token([])
    assert refused.value.www_authenticate(API) == f'Bearer realm="{API}"'


def test_header_values_cannot_break_out_of_their_quotes() -> None:
    error = InvalidToken('bad "token"\r\nSet-Cookie: x=1')
    assert error.www_authenticate(API).count('"') == 6
    assert "\r" not in error.www_authenticate(API)

"""Logout tokens are checked as OpenID Connect Back-Channel Logout 1.0 section 2.6 says: each
rule refused on its own, against keys the fake IdP publishes (EC P-384 and RSA), through the
app's own JWKS client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from jwt import PyJWKClient

from logto_kit.auth.logout_tokens import (
    MAX_AGE_SECONDS,
    InvalidLogoutToken,
    LogoutTokenValidator,
)
from logto_kit.auth.logto_client import IDP_TIMEOUT_SECONDS
from logto_kit.auth.published_keys import KeysUnavailable

from .fake_logto import KID, RSA_KID, FakeLogto
from .logout_token_maker import (
    LOGOUT_EVENT,
    NO_DETAILS,
    OMIT,
    forged_token,
    hmac_with_public_key,
    logout_claims,
    logout_token,
    public_key_pem,
    unsigned_token,
)


@pytest.fixture
def idp(logto: FakeLogto) -> FakeLogto:
    logto.publish_rsa_key()
    logto.last_sid = "logto-session-1"
    return logto


@pytest.fixture
def validator(idp: FakeLogto) -> Iterator[LogoutTokenValidator]:
    jwks = PyJWKClient(f"{idp.issuer}/jwks", timeout=IDP_TIMEOUT_SECONDS, cooldown_duration=0)
    yield LogoutTokenValidator(jwks, idp.issuer, idp.client_id)


@pytest.mark.parametrize("algorithm", ["ES384", "RS256"])
def test_a_token_as_logto_makes_it_is_accepted(
    validator: LogoutTokenValidator, idp: FakeLogto, algorithm: str
) -> None:
    request = validator.validate(logout_token(idp, algorithm, jti="j-1"))
    assert (request.jti, request.sid, request.sub) == ("j-1", "logto-session-1", "u-alice")
    assert request.remember_until >= time.time() + MAX_AGE_SECONDS


def test_sid_alone_or_sub_alone_is_enough(validator: LogoutTokenValidator, idp: FakeLogto) -> None:
    assert validator.validate(logout_token(idp, sub=OMIT)).sub is None
    assert validator.validate(logout_token(idp, sid=OMIT)).sid is None


def test_a_typ_header_is_optional(validator: LogoutTokenValidator, idp: FakeLogto) -> None:
    assert validator.validate(idp.sign(logout_claims(idp), typ=None)).sub == "u-alice"


NOW = int(time.time())
OTHER_EVENT = "http://schemas.openid.net/event/other"
CLAIM_RULES: dict[str, tuple[dict[str, object], str]] = {
    "wrong issuer": ({"iss": "https://evil.example/oidc"}, "issuer"),
    "wrong audience": ({"aud": "another-app"}, "audience"),
    "no iat": ({"iat": OMIT}, "iat"),
    "iat in the future": ({"iat": NOW + 600}, "future"),
    "iat too old": ({"iat": NOW - MAX_AGE_SECONDS - 120}, "old"),
    "exp passed": ({"exp": NOW - 120}, "expired"),
    "no jti": ({"jti": OMIT}, "jti"),
    "no events": ({"events": OMIT}, "events"),
    "another event": (dict(events={OTHER_EVENT: NO_DETAILS}), "events"),
    "event not an object": (dict(events={LOGOUT_EVENT: "yes"}), "JSON object"),
    "nonce present": ({"nonce": "n-1"}, "nonce"),
    "neither sid nor sub": ({"sid": OMIT, "sub": OMIT}, "neither sid nor sub"),
}


@pytest.mark.parametrize("rule", CLAIM_RULES)
@pytest.mark.parametrize("algorithm", ["ES384", "RS256"])
def test_each_claim_rule_is_enforced(
    validator: LogoutTokenValidator, idp: FakeLogto, rule: str, algorithm: str
) -> None:
    changes, says = CLAIM_RULES[rule]
    with pytest.raises(InvalidLogoutToken, match=f"(?i){says}"):
        validator.validate(logout_token(idp, algorithm, **changes))


FORGERIES: dict[str, tuple[Callable[[FakeLogto], str], str]] = {
    "signed by another key": (lambda idp: forged_token(idp), "signature verification failed"),
    "alg none": (lambda idp: unsigned_token(idp), "'none' is not accepted"),
    "HS256 keyed with the public key": (
        lambda idp: hmac_with_public_key(idp, public_key_pem(idp)),
        "'HS256' is not accepted",
    ),
    "ES256 under the ES384 key": (lambda idp: forged_token(idp, "ES256"), "is not its key's"),
    # Signed by the IdP's own keys, but each under the other key's id: alg is not the key's.
    "ES384 under the RSA key's id": (
        lambda idp: idp.sign(logout_claims(idp), kid=RSA_KID, typ="logout+jwt"),
        "is not its key's",
    ),
    "RS256 under the EC key's id": (
        lambda idp: idp.sign(logout_claims(idp), "RS256", kid=KID, typ="logout+jwt"),
        "is not its key's",
    ),
    "typ of an ID token": (lambda idp: logout_token(idp, typ="JWT"), "typ"),
    "a key id Logto does not publish": (
        lambda idp: idp.sign(logout_claims(idp), kid="unknown-key", typ="logout+jwt"),
        "publishes no key",
    ),
    "no key id": (lambda idp: forged_token(idp, kid=None), "names no signing key"),
    "not a JWT": (lambda idp: "not-a-jwt", "not a JWT"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forgeries_are_refused(
    validator: LogoutTokenValidator, idp: FakeLogto, forgery: str
) -> None:
    make, says = FORGERIES[forgery]
    with pytest.raises(InvalidLogoutToken, match=f"(?i){says}"):
        validator.validate(make(idp))


def test_a_missing_token_is_refused(validator: LogoutTokenValidator) -> None:
    for token in (None, ""):
        with pytest.raises(InvalidLogoutToken, match="missing"):
            validator.validate(token)


def test_keys_that_cannot_be_fetched_are_unavailable_not_invalid(
    validator: LogoutTokenValidator, idp: FakeLogto
) -> None:
    idp.jwks_down = True
    started = time.monotonic()
    with pytest.raises(KeysUnavailable):
        validator.validate(logout_token(idp))
    assert time.monotonic() - started < IDP_TIMEOUT_SECONDS + 5


def test_unknown_key_ids_fetch_the_keys_again_at_most_once_a_minute(
    validator: LogoutTokenValidator, idp: FakeLogto
) -> None:
    """Anyone can POST a token naming a made-up key: that must not cost Logto a request each."""
    validator.validate(logout_token(idp))
    fetched = idp.request_count("/oidc/jwks")
    for _ in range(5):
        with pytest.raises(InvalidLogoutToken, match="publishes no key"):
            validator.validate(idp.sign(logout_claims(idp), kid="made-up", typ="logout+jwt"))
    assert idp.request_count("/oidc/jwks") == fetched + 1


def test_a_rotated_key_is_found_by_fetching_again(
    validator: LogoutTokenValidator, idp: FakeLogto
) -> None:
    validator.validate(logout_token(idp))
    idp.rotate_key()
    assert validator.validate(logout_token(idp)).sub == "u-alice"

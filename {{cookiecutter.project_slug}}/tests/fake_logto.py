"""A small in-process OIDC provider shaped like Logto, for the offline test suite.

``FakeLogto`` serves Logto's endpoint paths (discovery, JWKS, token, userinfo,
auth, end session) over real HTTP on 127.0.0.1 and issues real ES384-signed ID
tokens, so the Logto SDK runs unmodified against it. Tests play the user at the
IdP with ``authorize()`` / ``deny()`` instead of driving a browser, and provoke
failures by setting plain attributes (``token_error``, ``down``, ...).

Refresh tokens rotate as Logto's do: each works once, and presenting a used one
again is taken for theft: it is refused and the whole grant (every token of that
sign-in) is revoked (``revoked_grants`` counts these).

Token revocation (RFC 7009, ``/oidc/token/revocation``) answers as Logto 1.37.1 does
(checked by the template's tests/against_logto/test_fake_matches_logto.py): a refresh token
revokes its whole grant, an access token only itself, an unknown token nothing, each a 200
with an empty body; no ``token`` or no client authentication is a 400 ``invalid_request``,
a wrong secret a 401 ``invalid_client``. ``revoked_refresh_tokens`` lists what was revoked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self, cast

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

KID = "fake-logto-es384"
RSA_KID = "fake-logto-rs256"
_Response = tuple[int, dict[str, str], bytes]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _json(status: int, body: object) -> _Response:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _text(status: int, text: str, content_type: str = "text/html") -> _Response:
    return status, {"Content-Type": f"{content_type}; charset=utf-8"}, text.encode()


def _public_jwk(kid: str, key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    pub = key.public_key().public_numbers()
    x, y = (_b64url(n.to_bytes(48, "big")) for n in (pub.x, pub.y))
    return {"kty": "EC", "crv": "P-384", "x": x, "y": y, "kid": kid, "alg": "ES384", "use": "sig"}


def _public_rsa_jwk(kid: str, key: rsa.RSAPrivateKey) -> dict[str, str]:
    pub = key.public_key().public_numbers()
    n, e = (_b64url(v.to_bytes((v.bit_length() + 7) // 8, "big")) for v in (pub.n, pub.e))
    return {"kty": "RSA", "n": n, "e": e, "kid": kid, "alg": "RS256", "use": "sig"}


def _oauth_error(status: int, error: str, description: str) -> _Response:
    return _json(status, {"error": error, "error_description": description})


@dataclass
class FakeUser:
    """The user who signs in at the fake IdP; ``extra`` goes into tokens and /me."""

    sub: str = "u-alice"
    name: str | None = "Alice Example"
    username: str | None = "alice"
    email: str | None = "alice@example.com"
    extra: dict[str, object] = field(default_factory=dict)
    api_scopes: frozenset[str] = frozenset()  # what the user's roles grant of any API
    #: organization id -> the user's roles there (what its organization token's scope holds)
    organizations: dict[str, list[str]] = field(default_factory=dict)

    def claims(self) -> dict[str, object]:
        profile = {"name": self.name, "username": self.username, "email": self.email}
        claims: dict[str, object] = {"sub": self.sub}
        claims.update((k, v) for k, v in profile.items() if v is not None)
        if self.organizations:  # as Logto puts them in the ID token
            claims["organizations"] = list(self.organizations)
            claims["organization_roles"] = [
                f"{organization}:{role}"
                for organization, roles in self.organizations.items()
                for role in roles
            ]
        return claims | self.extra


@dataclass
class _Grant:
    user: FakeUser
    scope: str
    code_challenge: str = ""
    redirect_uri: str = ""
    grant_id: str = field(default_factory=lambda: secrets.token_urlsafe(8))  # one per sign-in
    logto_sid: str = field(default_factory=lambda: secrets.token_urlsafe(12))  # Logto's `sid`


class FakeLogto:
    """Context manager; serves on 127.0.0.1 on a free port in a daemon thread."""

    def __init__(
        self,
        *,
        client_id: str = "test-app",
        client_secret: str = "test-secret",
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.authorization_requests: list[dict[str, str]] = []
        # Knobs tests set to provoke failures.
        self.token_error: tuple[int, dict[str, str]] | None = None
        self.sign_with_foreign_key = False  # same kid, key not in JWKS
        self.wrong_audience = False
        self.id_token_ttl = 3600
        self.access_token_ttl = 3600  # expires_in of token responses
        self.jwks_delay = 0.0
        self.jwks_down = False  # the JWKS endpoint answers 503, the others work
        self.kid = KID  # the signing key's id; rotate_key() makes a new one
        self.token_delay = 0.0  # seconds before the token (and revocation) endpoint answers
        self.down = False  # every endpoint answers 503 text/plain
        self.resource_token_requests: list[str] = []  # the `resource` of each refresh for one
        self.include_sid = False  # ID tokens carry `sid` (backchannelLogoutSessionRequired)
        self.last_sid = ""  # the `sid` of the newest sign-in
        self.rsa_key: rsa.RSAPrivateKey | None = None  # publish_rsa_key() adds one to the JWKS
        self._key = ec.generate_private_key(ec.SECP384R1())
        self._foreign_key = ec.generate_private_key(ec.SECP384R1())
        self._previous_keys: list[tuple[str, ec.EllipticCurvePrivateKey]] = []
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._codes: dict[str, _Grant] = {}
        self._refresh_tokens: dict[str, _Grant] = {}
        self._used_refresh_tokens: dict[str, str] = {}  # token -> grant id
        self._access_tokens: dict[str, tuple[FakeUser, str]] = {}  # -> (user, grant id)
        self.revoked_grants = 0
        self.revoked_refresh_tokens: list[str] = []  # revoked at the revocation endpoint
        self._server = _Server(self)  # bound now, so endpoint is known before start()
        self._thread: threading.Thread | None = None
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.issuer = self.endpoint + "/oidc"

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("FakeLogto was already started; it cannot restart")
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs=dict(poll_interval=0.01), daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def request_count(self, path: str) -> int:
        """How many HTTP requests arrived for ``path`` (e.g. "/oidc/token")."""
        with self._lock:
            return self._counts.get(path, 0)

    # -- the user at the IdP ----------------------------------------------------
    def _parse_authorization(self, url: str) -> dict[str, str]:
        parts = urllib.parse.urlsplit(url)
        params: dict[str, str] = {}  # repeated keys (resource) are space-joined
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
            params[key] = f"{params[key]} {value}" if key in params else value
        self.authorization_requests.append(params)
        get = params.get
        problems = {
            f"not {self.issuer}/auth": url.split("?")[0] != self.issuer + "/auth",
            f"client_id is not {self.client_id!r}": get("client_id") != self.client_id,
            "redirect_uri missing": not get("redirect_uri"),
            "redirect_uri has a fragment": "#" in get("redirect_uri", ""),
            "response_type is not 'code'": get("response_type") != "code",
            "code_challenge_method is not S256": get("code_challenge_method") != "S256",
            "code_challenge missing": not get("code_challenge"),
            "state missing": not get("state"),
            "scope lacks openid": "openid" not in get("scope", "").split(),
        }
        for problem, failed in problems.items():
            if failed:
                raise AssertionError(f"Bad authorization request ({problem}): {url}")
        return params

    @staticmethod
    def _callback(redirect_uri: str, params: dict[str, str]) -> str:
        separator = "&" if urllib.parse.urlsplit(redirect_uri).query else "?"
        return redirect_uri + separator + urllib.parse.urlencode(params)

    def authorize(self, authorization_url: str, user: FakeUser | None = None) -> str:
        """Sign ``user`` in; return the callback URL the browser would be sent to."""
        p = self._parse_authorization(authorization_url)
        redirect_uri, challenge = p["redirect_uri"], p["code_challenge"]
        grant = _Grant(user or FakeUser(), p["scope"], challenge, redirect_uri)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = grant
            self.last_sid = grant.logto_sid
        return self._callback(redirect_uri, {"code": code, "state": p["state"]})

    def deny(
        self,
        authorization_url: str,
        error: str = "access_denied",
        description: str = "The user denied the request.",
    ) -> str:
        """Return the callback URL of a refused/failed authorization."""
        p = self._parse_authorization(authorization_url)
        reply = {"error": error, "error_description": description, "state": p["state"]}
        return self._callback(p["redirect_uri"], reply)

    # -- HTTP -------------------------------------------------------------------
    def _respond(
        self, method: str, target: str, authorization: str | None, body: bytes
    ) -> _Response:
        parts = urllib.parse.urlsplit(target)
        with self._lock:
            self._counts[parts.path] = self._counts.get(parts.path, 0) + 1
        if self.down:
            return _text(503, "Service Unavailable", "text/plain")
        route = f"{method} {parts.path}"
        if route == "GET /oidc/.well-known/openid-configuration":
            return _json(200, self._discovery())
        if route == "GET /oidc/jwks":
            time.sleep(self.jwks_delay)
            if self.jwks_down:
                return _text(503, "Service Unavailable", "text/plain")
            keys = [(self.kid, self._key), *self._previous_keys]
            jwks = [_public_jwk(kid, key) for kid, key in keys]
            if self.rsa_key is not None:
                jwks.append(_public_rsa_jwk(RSA_KID, self.rsa_key))
            return _json(200, {"keys": jwks})
        if route == "POST /oidc/token":
            time.sleep(self.token_delay)
            form = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
            return self._token(dict(form), authorization)
        if route == "POST /oidc/token/revocation":
            time.sleep(self.token_delay)
            form = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
            return self._revocation(dict(form), authorization)
        if route == "GET /oidc/me":
            return self._userinfo(authorization)
        if route == "GET /oidc/auth":
            return _text(200, "<p>Fake Logto sign-in page (tests use authorize()).")
        if route == "GET /oidc/session/end":
            query = dict(urllib.parse.parse_qsl(parts.query))
            if redirect := query.get("post_logout_redirect_uri"):
                return 303, {"Location": redirect}, b""
            return _text(200, "<p>You have been signed out.")
        return _oauth_error(404, "not_found", f"no route for {route}")

    def _discovery(self) -> dict[str, object]:
        iss = self.issuer
        return {
            "issuer": iss,
            "authorization_endpoint": iss + "/auth",
            "token_endpoint": iss + "/token",
            "userinfo_endpoint": iss + "/me",
            "jwks_uri": iss + "/jwks",
            "end_session_endpoint": iss + "/session/end",
            "revocation_endpoint": iss + "/token/revocation",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES384"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "client_secret_basic",
            ],
            "scopes_supported": ["openid", "offline_access", "profile", "email"],
            "claims_supported": ["sub", "name", "username", "email"],
        }

    def publish_rsa_key(self) -> None:
        """Publish an RSA key (kid RSA_KID, alg RS256) next to the ES384 one."""
        self.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def sign(
        self, claims: dict[str, object], algorithm: str = "ES384", **headers: str | None
    ) -> str:
        """A JWT signed by this IdP's published ES384 key (or, for RS256, its RSA key);
        `headers` go into the JWT header (`typ=None` leaves PyJWT's "JWT" out)."""
        if algorithm == "RS256":
            assert self.rsa_key is not None, "publish_rsa_key() first"
            return jwt.encode(claims, self.rsa_key, algorithm, headers={"kid": RSA_KID, **headers})
        return jwt.encode(claims, self._key, algorithm, headers={"kid": self.kid, **headers})

    def rotate_key(self) -> None:
        """Sign with a new key from now on, published next to the old one (as Logto's
        Console > Signing keys > Rotate does)."""
        self._previous_keys.insert(0, (self.kid, self._key))
        self._key = ec.generate_private_key(ec.SECP384R1())
        self.kid = f"{KID}-{len(self._previous_keys) + 1}"

    def access_token(
        self,
        subject: str,
        audience: str,
        scopes: str = "",
        *,
        ttl: int | None = None,
        algorithm: str = "ES384",
        headers: Mapping[str, str | None] | None = None,
        claims: Mapping[str, object] | None = None,
    ) -> str:
        """A JWT access token as Logto issues one for an API resource: `typ` at+jwt, signed by
        `sign` (RS256: the key `publish_rsa_key` made); `claims` and `headers` override."""
        now = int(time.time())
        body: dict[str, object] = {
            "jti": secrets.token_urlsafe(12),
            "sub": subject,
            "iat": now,
            "exp": now + (self.access_token_ttl if ttl is None else ttl),
            "scope": scopes,
            "client_id": self.client_id,
            "iss": self.issuer,
            "aud": audience,
        }
        body.update(claims or {})
        return self.sign(body, algorithm, **{"typ": "at+jwt", **(headers or {})})

    def _client_ok(self, form: dict[str, str], authorization: str | None) -> bool:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization[:6].lower() == "basic ":
            try:
                raw = base64.b64decode(authorization[6:].strip()).decode()
            except ValueError:
                return False
            client_id, _, secret = map(urllib.parse.unquote_plus, raw.partition(":"))
        return client_id == self.client_id and secret == self.client_secret

    def _token(self, form: dict[str, str], authorization: str | None) -> _Response:
        if self.token_error is not None:
            return _json(*self.token_error)
        if not self._client_ok(form, authorization):
            return _oauth_error(401, "invalid_client", "client authentication failed")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            with self._lock:  # popped first: a code is single use, even on failure
                grant = self._codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "").encode()
            if grant is None:
                problem = "authorization code is invalid or was already used"
            elif form.get("redirect_uri") != grant.redirect_uri:
                problem = "redirect_uri does not match the authorization request"
            elif _b64url(hashlib.sha256(verifier).digest()) != grant.code_challenge:
                problem = "PKCE verification failed"
            else:
                return _json(200, self._issue(grant))
        elif grant_type == "refresh_token":
            token = form.get("refresh_token", "")
            organization_id = form.get("organization_id", "")
            with self._lock:  # Logto checks membership before it takes the refresh token
                holder = self._refresh_tokens.get(token)
            if organization_id and holder and organization_id not in holder.user.organizations:
                return _oauth_error(
                    400, "access_denied", "user is not a member of the organization"
                )
            with self._lock:  # popped: refresh tokens rotate
                grant = self._refresh_tokens.pop(token, None)
                if grant is not None:
                    self._used_refresh_tokens[token] = grant.grant_id
                reused = self._used_refresh_tokens.get(token) if grant is None else None
                if reused is not None:
                    self.revoked_grants += 1
                    self._forget_grant(reused)
            if grant is not None:
                resource = form.get("resource", "")
                if resource or organization_id:
                    self.resource_token_requests.append(resource or organization_id)
                return _json(200, self._issue(grant, resource, organization_id))
            problem = "refresh token is invalid, expired or already rotated"
            if reused is not None:
                problem = "refresh token was already used: the grant is revoked"
        else:
            return _oauth_error(400, "unsupported_grant_type", repr(grant_type))
        return _oauth_error(400, "invalid_grant", problem)

    def _issue(
        self, grant: _Grant, resource: str = "", organization_id: str = ""
    ) -> dict[str, object]:
        now = int(time.time())
        aud = "some-other-app" if self.wrong_audience else self.client_id
        claims = {"iss": self.issuer, "aud": aud, "iat": now}
        claims["exp"] = now + self.id_token_ttl
        if self.include_sid:
            claims["sid"] = grant.logto_sid
        key = self._foreign_key if self.sign_with_foreign_key else self._key
        id_token = jwt.encode(
            grant.user.claims() | claims, key, algorithm="ES384", headers={"kid": self.kid}
        )
        access_token = secrets.token_urlsafe(32)
        if resource:  # a JWT for the API, with the asked scopes the user's roles grant
            held = [s for s in grant.scope.split() if s in grant.user.api_scopes]
            extra = {"organization_id": organization_id} if organization_id else None
            access_token = self.access_token(grant.user.sub, resource, " ".join(held), claims=extra)
        elif organization_id:  # an organization token, with the member's organization scopes
            audience = f"urn:logto:organization:{organization_id}"
            scopes = ""  # (organization permissions are not modelled here)
            extra = {"organization_id": organization_id}
            access_token = self.access_token(grant.user.sub, audience, scopes, claims=extra)
        refresh_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = (grant.user, grant.grant_id)
            self._refresh_tokens[refresh_token] = _Grant(
                grant.user, grant.scope, grant_id=grant.grant_id, logto_sid=grant.logto_sid
            )
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl,
            "refresh_token": refresh_token,
            "scope": grant.scope,
            "id_token": id_token,
        }

    def _revocation(self, form: dict[str, str], authorization: str | None) -> _Response:
        """RFC 7009, as Logto answers it (see the module doc)."""
        if not form.get("client_id") and not (authorization or "").lower().startswith("basic "):
            return _oauth_error(
                400, "invalid_request", "no client authentication mechanism provided"
            )
        if not self._client_ok(form, authorization):
            return _oauth_error(401, "invalid_client", "client authentication failed")
        token = form.get("token")
        if not token:
            return _oauth_error(400, "invalid_request", "missing required parameter 'token'")
        with self._lock:
            grant = self._refresh_tokens.get(token)
            if grant is not None:
                self.revoked_refresh_tokens.append(token)
                self._forget_grant(grant.grant_id)
            else:
                self._access_tokens.pop(token, None)
        return _text(200, "", "text/plain")

    def _forget_grant(self, grant_id: str) -> None:
        """Forget every refresh and access token of the grant (called holding the lock)."""
        for token in [t for t, grant in self._refresh_tokens.items() if grant.grant_id == grant_id]:
            del self._refresh_tokens[token]
        for token in [t for t, (_, g) in self._access_tokens.items() if g == grant_id]:
            del self._access_tokens[token]

    def _userinfo(self, authorization: str | None) -> _Response:
        scheme, _, token = (authorization or "").partition(" ")
        with self._lock:
            found = self._access_tokens.get(token.strip())
        user = found[0] if found else None
        if scheme.lower() != "bearer" or user is None:
            status, headers, body = _oauth_error(401, "invalid_token", "bad token")
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return status, headers, body
        return _json(200, user.claims())


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeLogto) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        fake = cast(_Server, self.server).fake
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization")
        status, headers, payload = fake._respond(self.command, self.path, auth, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default per-request stderr logging."""

"""The app's Logto client: the SDK's `LogtoClient` with time limits, warm-up and clean sign-in.

SDK 0.2.1 calls the identity provider without time limits (aiohttp's default is 5 minutes,
PyJWT's JWKS fetch 30 s) and fetches JWKS with blocking urllib. Here every call is bounded,
discovery and JWKS are fetched before serving, and a JWKS refetch (key rotation) runs in a
worker thread so it never blocks an event loop.

The SDK refreshes only for an expired *access* token; `refresh_tokens` renews the ID token too,
and tells a refused refresh token (sign in again) from an unreachable Logto (try again later).
The SDK cannot revoke a token; `revoke_refresh_token` does (RFC 7009), for sign-out.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable
from typing import Any, TypeVar

import aiohttp
from jwt import PyJWKClient, PyJWKClientConnectionError, PyJWKClientError, PyJWTError
from logto import (
    LogtoClient,
    LogtoException,
    OidcProviderMetadata,
    TokenResponse,
    UserInfoResponse,
)
from logto.LogtoClient import InteractionMode
from logto.OidcCore import OidcCore

IDP_TIMEOUT_SECONDS = 10.0
JWKS_CACHE_SECONDS = 24 * 60 * 60  # a token signed by an unknown key still triggers a refetch
#: PyJWT waits 30 s after any fetch before it fetches again for an unknown key, so a key Logto
#: just published would fail every sign-in for up to 30 s. Unknown keys only come in Logto's own
#: token responses (never from a browser), so each one is looked up at once.
JWKS_REFETCH_COOLDOWN_SECONDS = 0.0
#: OAuth error codes that mean "not now" rather than "never" (RFC 6749 section 4.1.2.1).
TRANSIENT_OAUTH_ERRORS = frozenset({"server_error", "temporarily_unavailable"})

T = TypeVar("T")


class IdpUnavailable(Exception):
    """Logto could not be reached or answered with something that is not OIDC; `problem`
    says which, after "Logto" (for the error page)."""

    def __init__(self, message: str, problem: str = "could not be reached") -> None:
        super().__init__(message)
        self.problem = problem


def what_went_wrong(error: BaseException) -> str:
    """How a failed call to Logto failed, in words that follow "Logto"."""
    if isinstance(error, TimeoutError):
        return "did not answer in time"
    if isinstance(getattr(error, "os_error", None) or error, socket.gaierror):
        return "cannot be found: the host name of LOGTO_ENDPOINT does not resolve"
    if isinstance(error, aiohttp.ClientConnectorError | ConnectionError):
        return "refused the connection"
    if isinstance(error, aiohttp.ClientResponseError | ValueError):
        return "answered with something that is not OpenID Connect"
    return "could not be reached"


class TokenDenied(Exception):
    """Logto refused the access token asked for (an organization's, for someone no longer a
    member) while the refresh token stays good: only that token is refused."""


#: OAuth errors of a refresh grant for a resource or an organization that refuse that token
#: only (RFC 6749 section 5.2; Logto answers access_denied for an organization's non-member).
TOKEN_ONLY_ERRORS = frozenset({"access_denied", "invalid_target", "invalid_scope"})
ORGANIZATION_PREFIX = "urn:logto:organization:"


def organization_key(organization_id: str, resource: str = "") -> str:
    """The stored name of an organization's access token: `urn:logto:organization:<id>` as the
    SDK names it, after `<resource>#` for a token to an API in that organization."""
    return (
        f"{resource}#{ORGANIZATION_PREFIX}{organization_id}"
        if resource
        else (f"{ORGANIZATION_PREFIX}{organization_id}")
    )


def token_request_params(key: str) -> dict[str, str]:
    """The refresh grant's `resource` and `organization_id` for a stored token's `key`."""
    resource, _, organization = key.rpartition(ORGANIZATION_PREFIX)
    if not _:
        return {"resource": key} if key else {}
    params = {"organization_id": organization}
    if resource.removesuffix("#"):
        params["resource"] = resource.removesuffix("#")
    return params


class RefreshRefused(Exception):
    """The tokens cannot be renewed (no refresh token, or Logto refused it as expired, revoked
    or already used): the user must sign in again."""


def oauth_error_code(body: str) -> str | None:
    """The `error` of an OAuth error response body, or None when it is not one."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, str) else None


async def _bounded(call: Awaitable[T], what: str) -> T:
    try:
        return await asyncio.wait_for(call, IDP_TIMEOUT_SECONDS)
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as error:
        problem = what_went_wrong(error)
        raise IdpUnavailable(f"{what} failed: {type(error).__name__}: {error}", problem) from error


class BoundedOidcCore(OidcCore):
    """OidcCore whose back-channel calls are time-limited and whose JWKS stays cached."""

    def __init__(self, metadata: OidcProviderMetadata) -> None:
        super().__init__(metadata)
        self.jwksClient = PyJWKClient(
            metadata.jwks_uri,
            cache_jwk_set=True,
            lifespan=JWKS_CACHE_SECONDS,
            timeout=IDP_TIMEOUT_SECONDS,
            headers={"user-agent": "@logto/python", "accept": "*/*"},
            cooldown_duration=JWKS_REFETCH_COOLDOWN_SECONDS,
        )

    async def load_jwks(self) -> None:
        try:
            await asyncio.to_thread(self.jwksClient.get_jwk_set)
        except PyJWKClientError as error:
            raise IdpUnavailable(f"fetching JWKS failed: {error}") from error

    async def _load_signing_key(self, response: TokenResponse) -> TokenResponse:
        """Resolve the ID token's key off the event loop, so the SDK's sync check hits the cache.
        Keys that cannot be fetched raise `IdpUnavailable` (a 503: try again); a key Logto does
        not publish is left for the SDK's own verification to report (a 400)."""
        if response.id_token:
            try:
                await asyncio.to_thread(self.jwksClient.get_signing_key_from_jwt, response.id_token)
            except PyJWKClientConnectionError as error:
                raise IdpUnavailable(f"fetching JWKS failed: {error}") from error
            except PyJWKClientError:
                pass
        return response

    async def fetchTokenByCode(
        self,
        clientId: str,
        clientSecret: str | None,
        redirectUri: str,
        code: str,
        codeVerifier: str,
    ) -> TokenResponse:
        call = super().fetchTokenByCode(clientId, clientSecret, redirectUri, code, codeVerifier)
        return await self._load_signing_key(await _bounded(call, "token request"))

    async def fetchTokenByRefreshToken(
        self, clientId: str, clientSecret: str | None, refreshToken: str, resource: str = ""
    ) -> TokenResponse:
        """Like the SDK's, for a stored token's key (`resource` may name an organization, or
        an API in an organization: `organization_key`), but an answer that is no OAuth error
        (a proxy's 502 page, Logto's 503) or a transient one raises `IdpUnavailable`, not
        `LogtoException`."""
        call = self._refresh_grant(clientId, clientSecret, refreshToken, resource)
        try:
            response = await _bounded(call, "token refresh")
        except LogtoException as error:
            code = oauth_error_code(str(error))
            if code is None or code in TRANSIENT_OAUTH_ERRORS:
                raise IdpUnavailable(f"token refresh failed: {error}") from error
            raise
        return await self._load_signing_key(response)

    async def _refresh_grant(
        self, client_id: str, client_secret: str | None, refresh_token: str, key: str
    ) -> TokenResponse:
        form = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "refresh_token": refresh_token,
            **token_request_params(key),
        }
        if client_secret:
            form["client_secret"] = client_secret
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.metadata.token_endpoint, data=form) as response,
        ):
            if response.status != 200:
                raise LogtoException(await response.text())
            return TokenResponse(**await response.json())

    async def revoke_token(
        self, client_id: str, client_secret: str | None, token: str, hint: str
    ) -> None:
        """Revoke `token` at Logto's revocation endpoint (RFC 7009), the client authenticated
        as at the token endpoint. Logto answers 200 for a token it does not know (already
        revoked, expired). Raises `IdpUnavailable` when Logto cannot be reached, names no
        revocation endpoint or answers with anything but 200."""
        endpoint = getattr(self.metadata, "revocation_endpoint", None)
        if not endpoint:
            problem = "offers no token revocation (no revocation_endpoint in its discovery)"
            raise IdpUnavailable(f"token revocation: Logto {problem}", problem)
        form = {"token": token, "token_type_hint": hint, "client_id": client_id}
        if client_secret:
            form["client_secret"] = client_secret
        await _bounded(self._revoke(endpoint, form), "token revocation")

    @staticmethod
    async def _revoke(endpoint: str, form: dict[str, str]) -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.post(endpoint, data=form) as response,
        ):
            if response.status != 200:
                body = (await response.text())[:300]
                raise IdpUnavailable(
                    f"token revocation failed: HTTP {response.status}: {body}",
                    f"refused the token revocation (HTTP {response.status})",
                )

    async def fetchUserInfo(self, accessToken: str) -> UserInfoResponse:
        return await _bounded(super().fetchUserInfo(accessToken), "userinfo request")

    async def userinfo_claims(self, access_token: str) -> dict[str, Any]:
        """Every claim of Logto's userinfo answer. (SDK 0.2.1's `UserInfoResponse` keeps only
        the claims it models, dropping e.g. `organization_data` and `roles`.)"""
        return await _bounded(self._userinfo(access_token), "userinfo request")

    async def _userinfo(self, access_token: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {access_token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.metadata.userinfo_endpoint, headers=headers) as response,
        ):
            if response.status != 200:
                raise LogtoException(await response.text())
            claims = await response.json()
        if not isinstance(claims, dict):
            raise ValueError("userinfo is not a JSON object")
        return claims


class ProviderMetadata(OidcProviderMetadata):
    """Logto's discovery document, with what SDK 0.2.1's model leaves out."""

    revocation_endpoint: str | None = None  # RFC 7009; Logto's is {endpoint}/oidc/token/revocation


async def _provider_metadata(url: str) -> ProviderMetadata:
    """The discovery document, fetched as the SDK's `OidcCore.getProviderMetadata` does."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return ProviderMetadata(**await response.json())


class AppLogtoClient(LogtoClient):
    """One per app; its storage resolves to the current request's session."""

    async def getOidcCore(self) -> OidcCore:
        if self._oidcCore is None:
            url = f"{self.config.endpoint}/oidc/.well-known/openid-configuration"
            metadata = await _bounded(_provider_metadata(url), "OIDC discovery")
            self._oidcCore = BoundedOidcCore(metadata)
        return self._oidcCore

    async def warm_up(self) -> None:
        """Fetch discovery and JWKS now, so no sign-in pays for them (or blocks on them)."""
        core = await self.getOidcCore()
        if isinstance(core, BoundedOidcCore):
            await core.load_jwks()

    async def signIn(self, redirectUri: str, interactionMode: InteractionMode | None = None) -> str:
        url = await super().signIn(redirectUri, interactionMode)
        # SDK 0.2.1 deletes a key "accessToken", but access tokens live under "accessTokenMap".
        self._storage.delete("accessTokenMap")
        return url

    def has_access_token(self, resource: str = "") -> bool:
        """Whether a still valid access token for `resource` is stored (no refresh needed)."""
        return self._getAccessToken(resource) is not None

    async def fetch_userinfo_claims(self) -> dict[str, Any]:
        """Every claim Logto's userinfo endpoint gives, with the stored access token (renew
        it first: this never refreshes). Raises `LogtoException` without one."""
        token = self.stored_access_token("")
        if token is None:
            raise LogtoException("no unexpired access token for userinfo is stored")
        core = await self.getOidcCore()
        assert isinstance(core, BoundedOidcCore)  # what getOidcCore makes
        return await core.userinfo_claims(token)

    def stored_access_token(self, resource: str) -> str | None:
        """The stored access token for `resource` while it is valid (no refresh), or None."""
        return self._getAccessToken(resource)

    async def revoke_refresh_token(self) -> bool:
        """Revoke the stored refresh token at Logto (RFC 7009); Logto then ends its whole
        grant: the refresh token, any rotated from it, and the opaque access tokens issued
        with it (JWT access tokens for APIs stay valid until they expire). False when no
        refresh token is stored. Raises `IdpUnavailable` when Logto cannot be reached or does
        not revoke it. Leaves the session as it is."""
        refresh_token = self.getRefreshToken()
        if refresh_token is None:
            return False
        core = await self.getOidcCore()
        assert isinstance(core, BoundedOidcCore)  # what getOidcCore makes
        await core.revoke_token(
            self.config.appId, self.config.appSecret, refresh_token, "refresh_token"
        )
        return True

    async def refresh_tokens(self, resource: str = "") -> None:
        """Renew the ID, access and refresh tokens with the stored refresh token and store them
        as a sign-in does (Logto answers every refresh with a new ID token). The access token
        is for `resource` (an API resource indicator), or for userinfo when it is "".

        Raises `RefreshRefused` when there is no refresh token or Logto refuses it (the user
        must sign in again), `TokenDenied` when Logto refuses only the token for `resource`,
        `IdpUnavailable` when Logto cannot be reached (try again later).
        """
        refresh_token = self.getRefreshToken()
        if refresh_token is None:
            raise RefreshRefused("no refresh token is stored")
        core = await self.getOidcCore()
        try:
            response = await core.fetchTokenByRefreshToken(
                self.config.appId, self.config.appSecret, refresh_token, resource
            )
        except LogtoException as error:
            if resource and oauth_error_code(str(error)) in TOKEN_ONLY_ERRORS:
                raise TokenDenied(f"Logto refused the token for {resource}: {error}") from error
            raise RefreshRefused(f"Logto refused the refresh token: {error}") from error
        if response.id_token is None:
            raise RefreshRefused("Logto's refresh answer holds no ID token")
        try:
            await self._handleTokenResponse(resource, response)
        except PyJWKClientConnectionError as error:
            # The old refresh token is used up: keep the new one, so a retry can still work.
            if response.refresh_token is not None:
                self._storage.set("refreshToken", response.refresh_token)
            raise IdpUnavailable(f"fetching JWKS failed: {error}") from error
        except PyJWTError as error:
            raise RefreshRefused(f"the renewed ID token failed verification: {error}") from error

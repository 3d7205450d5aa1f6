"""The app's Logto client: the SDK's `LogtoClient` with time limits, warm-up and clean sign-in.

SDK 0.2.1 calls the identity provider without time limits (aiohttp's default is 5 minutes,
PyJWT's JWKS fetch 30 s) and fetches JWKS with blocking urllib. Here every call is bounded,
discovery and JWKS are fetched before serving, and a JWKS refetch (key rotation) runs in a
worker thread so it never blocks an event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
from jwt import PyJWKClient, PyJWKClientError
from logto import LogtoClient, OidcProviderMetadata, TokenResponse, UserInfoResponse
from logto.LogtoClient import InteractionMode
from logto.OidcCore import OidcCore

IDP_TIMEOUT_SECONDS = 10.0
JWKS_CACHE_SECONDS = 24 * 60 * 60  # a token signed by an unknown key still triggers a refetch

T = TypeVar("T")


class IdpUnavailable(Exception):
    """Logto could not be reached or answered with something that is not OIDC."""


async def _bounded(call: Awaitable[T], what: str) -> T:
    try:
        return await asyncio.wait_for(call, IDP_TIMEOUT_SECONDS)
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as error:
        raise IdpUnavailable(f"{what} failed: {type(error).__name__}: {error}") from error


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
        )

    async def load_jwks(self) -> None:
        try:
            await asyncio.to_thread(self.jwksClient.get_jwk_set)
        except PyJWKClientError as error:
            raise IdpUnavailable(f"fetching JWKS failed: {error}") from error

    async def _load_signing_key(self, response: TokenResponse) -> TokenResponse:
        """Resolve the ID token's key off the event loop, so the SDK's sync check hits the cache."""
        if response.id_token:
            # An unknown key is left for the SDK's own verification to report.
            with contextlib.suppress(PyJWKClientError):
                await asyncio.to_thread(self.jwksClient.get_signing_key_from_jwt, response.id_token)
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
        call = super().fetchTokenByRefreshToken(clientId, clientSecret, refreshToken, resource)
        return await self._load_signing_key(await _bounded(call, "token refresh"))

    async def fetchUserInfo(self, accessToken: str) -> UserInfoResponse:
        return await _bounded(super().fetchUserInfo(accessToken), "userinfo request")


class AppLogtoClient(LogtoClient):
    """One per app; its storage resolves to the current request's session."""

    async def getOidcCore(self) -> OidcCore:
        if self._oidcCore is None:
            url = f"{self.config.endpoint}/oidc/.well-known/openid-configuration"
            metadata = await _bounded(OidcCore.getProviderMetadata(url), "OIDC discovery")
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

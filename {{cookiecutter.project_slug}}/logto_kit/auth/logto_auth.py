"""Sign-in, callback, sign-out and the current user: the sign-in flow, free of any web framework.

Signed in means holding an ID token that has not expired. Reading the user (`current_user`)
costs no call to Logto; once the ID token has expired, `refreshed_user` renews it with the
refresh token, one refresh for all the session's concurrent requests (token_refresh.py).
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import time
import urllib.parse
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import replace
from enum import Enum
from typing import Any, Final, Literal

from logto import LogtoConfig, LogtoException, Scope, UserInfoScope
from logto.LogtoClient import AccessTokenMap, InteractionMode
from logto.Storage import PersistKey

from ..settings import Settings
from .failures import (
    SIGNED_OUT_HERE_ONLY,
    USERINFO_UNAVAILABLE,
    Failure,
    describe_callback_failure,
    idp_unreachable,
)
from .logto_client import AppLogtoClient, IdpUnavailable, RefreshRefused, TokenDenied
from .pending_sign_ins import PendingSignIns
from .return_to import safe_return_path
from .session_storage import SessionStorage
from .sign_in_options import SignInOption, with_params
from .token_refresh import Covers, RefreshOutcome, RefreshUnavailable, TokenRefresher

USERINFO_KEY = "app.userinfo"
# Asked for on top of the SDK's own `openid offline_access profile`.
SCOPES: list[str | Scope] = [UserInfoScope.email, UserInfoScope.phone]
#: An ID token counts as expired this long before its `exp`: a page never shows a sign-in that
#: ends while it is served, and clocks a little ahead of Logto's do no harm.
EXPIRY_MARGIN_SECONDS = 30
#: The SDK stores an access token as expiring this long before it does.
SDK_ACCESS_TOKEN_MARGIN_SECONDS = 60
#: The SDK's stored values a refresh renews (handed to the requests that waited for it).
RENEWED_KEYS: tuple[PersistKey, ...] = ("idToken", "refreshToken", "accessTokenMap")
RENEWAL_UNAVAILABLE = Failure(
    503,
    "Please try again",
    "Your sign-in could not be renewed just now. Please try again in a moment.",
)

logger = logging.getLogger(__name__)


class NeedsRefresh(Enum):
    NEEDS_REFRESH = "needs refresh"


#: What `current_user()` returns for an expired ID token: call `refreshed_user()`.
NEEDS_REFRESH: Final = NeedsRefresh.NEEDS_REFRESH
CurrentUser = dict[str, Any] | None | Literal[NeedsRefresh.NEEDS_REFRESH]


class LogtoAuth:
    """The app's one Logto client plus the steps around it; `session` is the framework's
    session proxy, so the same instance serves every request."""

    def __init__(
        self, settings: Settings, session: MutableMapping[str, Any], refresher: TokenRefresher
    ) -> None:
        self.settings = settings
        self._session = session
        self._storage = SessionStorage(session)
        self._pending = PendingSignIns(session)
        self.client = AppLogtoClient(
            LogtoConfig(
                endpoint=settings.logto_endpoint,
                appId=settings.logto_app_id,
                appSecret=settings.logto_app_secret,
                scopes=SCOPES,
            ),
            storage=self._storage,
        )
        self.refresher = refresher  # one per app: the framework's locks, the store's lock
        #: Where a sign-in returns when it was started without `?next=` (a same-site path).
        self.after_sign_in_path = "/"

    def request_scopes(self, scopes: Iterable[str | Scope]) -> None:
        """Ask for `scopes` too at every sign-in (e.g. Logto's organization scopes)."""
        self.client.config.scopes = [*self.client.config.scopes, *scopes]

    def request_api(self, resource: str, scopes: Iterable[str]) -> None:
        """Ask for an access token to the API `resource` with `scopes` at every sign-in (Logto
        grants those the user holds through roles); `access_token_for` then gives it."""
        self.client.config.resources = [*self.client.config.resources, resource]
        self.client.config.scopes = [*self.client.config.scopes, *scopes]

    async def sign_in_url(
        self,
        return_to: str | None,
        *,
        sign_up: bool = False,
        option: SignInOption | None = None,
    ) -> str:
        """Start a sign-in; Logto opens on its sign-up screen when `sign_up` is set, or where
        `option` (a connector's button) points. Sign-ins started in other tabs stay pending."""
        self._session.pop(USERINFO_KEY, None)
        mode: InteractionMode | None = "signUp" if sign_up else None
        try:
            url = await self.client.signIn(self.settings.redirect_uri, mode)
        except IdpUnavailable as error:
            logger.warning("cannot start sign-in: %s", error)
            raise idp_unreachable(error) from error
        started = self._storage.get("signInSession")
        if started is not None:
            self._pending.add(started, safe_return_path(return_to) or self.after_sign_in_path)
            self._storage.delete("signInSession")
        return with_params(url, option.params) if option else url

    async def complete_sign_in(self, callback_url: str, oauth_error: str | None) -> str:
        """Finish the sign-in from the callback URL; returns the path to go to next.

        Raises `Failure` (status, title, message) when it cannot be completed.
        """
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(callback_url).query)
        state = query.get("state", [None])[0]
        pending = self._pending.get(state)
        # No match: the SDK compares the state with the newest pending sign-in (and says it
        # does not match), or finds none ("not started here").
        checked = pending or self._pending.newest()
        if checked is not None:
            self._storage.set("signInSession", checked["sdk"])
        try:
            await self.client.handleSignInCallback(callback_url)
        except Exception as error:
            failure = describe_callback_failure(error, oauth_error)
            logger.warning("sign-in callback failed (%s): %s", failure.status, failure.log_detail)
            raise failure from error
        finally:
            self._storage.delete("signInSession")  # the SDK's copy; it stays pending on failure
        assert pending is not None and state is not None  # the SDK accepted this state
        self._pending.remove(state)
        return safe_return_path(pending["return_to"]) or self.after_sign_in_path

    async def sign_out_url(self) -> str:
        """Revoke the refresh token at Logto, forget the user here and return Logto's
        end-session URL (which ends its session). The web layer lets only a form carrying the
        session's CSRF token get here.

        Logto's end-session alone leaves the refresh token valid (a copy of the session could
        renew itself for the token's lifetime), so it is revoked first. A Logto that cannot be
        reached or refuses costs one warning line within the IdP time limit: the user is
        signed out here all the same."""
        try:
            await self.client.getOidcCore()  # discovery: the revocation and end-session URLs
            try:
                await self.client.revoke_refresh_token()
            except IdpUnavailable as error:
                logger.warning(
                    "signed out here, but Logto did not revoke the refresh token: %s", error
                )
            return await self.client.signOut(self.settings.post_sign_out_redirect_uri)
        except IdpUnavailable as error:
            logger.warning(
                "signed out locally, but Logto is unreachable (the refresh token was not "
                "revoked): %s",
                error,
            )
            raise replace(SIGNED_OUT_HERE_ONLY, log_detail=str(error)) from error
        finally:
            self._session.clear()

    def current_user(self) -> CurrentUser:
        """The ID token's claims while it is valid, None when nobody is signed in, or
        `NEEDS_REFRESH` when it has expired: then `refreshed_user()` tells. Reads the session
        only, never calls Logto."""
        claims = self._id_token_claims()
        if claims is None:
            return NEEDS_REFRESH if self.client.getIdToken() is not None else None
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp - EXPIRY_MARGIN_SECONDS <= time.time():
            return NEEDS_REFRESH
        return claims

    async def refreshed_user(self) -> dict[str, Any] | None:
        """`current_user()`, after renewing an expired ID token with the refresh token (one
        refresh for all the session's concurrent requests).

        When it cannot be renewed (no refresh token, or Logto refuses it) the session is
        cleared and the answer is None: the user signs in again. While Logto cannot be reached
        raises `Failure` (503) and keeps the session, so a later request can still renew it.
        """
        user = self.current_user()
        if user is not NEEDS_REFRESH:
            return user
        outcome = await self._renew(sign_out_if_refused=True)
        if outcome.kind == "unreachable":
            logger.warning("cannot renew the sign-in: %s", outcome.detail)
            raise idp_unreachable(detail=outcome.detail)
        if outcome.kind == "refused":
            return None
        return self._id_token_claims()  # the new token, even if it is short-lived

    async def user_issued_within(self, seconds: int) -> dict[str, Any] | None:
        """`refreshed_user()`, from an ID token Logto issued less than `seconds` ago: an older
        one is renewed first (one refresh for all the session's concurrent requests), so what
        its claims say (organization memberships and roles) is what Logto grants now, give or
        take `seconds`. None when the sign-in cannot be renewed (the session is then cleared);
        `Failure` (503) while Logto cannot be reached."""
        started = time.time()
        user = await self.refreshed_user()
        if user is None or issued_within(user, seconds):
            return user
        outcome = await self._renew(
            sign_out_if_refused=True, covers=_renewed_since(started, seconds)
        )
        if outcome.kind == "unreachable":
            logger.warning("cannot renew the sign-in to recheck it: %s", outcome.detail)
            raise idp_unreachable(detail=outcome.detail)
        if outcome.kind == "refused":
            return None
        return self._id_token_claims()

    async def access_token_for(self, resource: str) -> str | None:
        """The user's access token for `resource` (an API, an organization: `organization_key`),
        renewed with the refresh token when it has expired (one refresh for all the session's
        concurrent requests, as for the ID token). None when nobody is signed in or the
        sign-in cannot be renewed (the session is then cleared); raises `TokenDenied` when
        Logto refuses that token only, `Failure` (503) while Logto cannot be reached."""
        token = self.client.stored_access_token(resource)
        if token is not None or self.client.getIdToken() is None:
            return token
        outcome = await self._renew(sign_out_if_refused=True, resource=resource)
        if outcome.kind == "unreachable":
            logger.warning("cannot get an access token for %s: %s", resource, outcome.detail)
            raise idp_unreachable(detail=outcome.detail)
        if outcome.kind == "denied":
            raise TokenDenied(outcome.detail)
        return unexpired_access_token(outcome.tokens, resource)

    def id_token(self) -> str | None:
        """The session's ID token as stored (not checked), or None."""
        return self.client.getIdToken()

    def _id_token_claims(self) -> dict[str, Any] | None:
        """The stored ID token's claims (unverified: it was verified when stored), or None."""
        id_token = self.client.getIdToken()
        if id_token is None:
            return None
        return decoded_id_token_claims(id_token)

    async def _renew(
        self, *, sign_out_if_refused: bool, resource: str = "", covers: Covers = None
    ) -> RefreshOutcome:
        """Renew the session's tokens (the access token for `resource`: an API, or userinfo
        for ""), or take the outcome of the request that just did, if it `covers` this need
        (by default: any renewal, or one with `resource`'s token)."""
        refresh_token = self.client.getRefreshToken()
        if covers is None and resource:
            covers = _holds_access_token_for(resource, time.time())
        if refresh_token is None:
            outcome = RefreshOutcome("refused", detail="no refresh token is stored")
        else:
            outcome = await self._refresh_once(refresh_token, resource, covers)
            rotated = outcome.tokens.get("refreshToken", refresh_token)
            lacking = covers is not None and outcome.kind == "renewed" and not covers(outcome)
            if (outcome.went_stale(time.time()) or lacking) and rotated != refresh_token:
                self._store(outcome)  # a renewal's newer refresh token: renew with it
                outcome = await self._refresh_once(rotated, resource, covers)
        if outcome.kind == "renewed":
            self._store(outcome)
        elif outcome.kind == "refused" and sign_out_if_refused:
            logger.info("the sign-in cannot be renewed (%s): signed out", outcome.detail)
            self._session.clear()
        return outcome

    async def _refresh_once(
        self, refresh_token: str, resource: str, covers: Covers
    ) -> RefreshOutcome:
        refresh = functools.partial(self._refresh, resource)
        try:
            return await self.refresher.refresh_once(refresh_token, refresh, covers)
        except RefreshUnavailable as error:
            logger.warning("cannot renew the sign-in: %s", error)
            raise replace(RENEWAL_UNAVAILABLE, log_detail=str(error)) from error

    def _store(self, outcome: RefreshOutcome) -> None:
        for key in RENEWED_KEYS:
            if (value := outcome.tokens.get(key)) is not None:
                self._storage.set(key, value)

    async def _refresh(self, resource: str) -> RefreshOutcome:
        """Ask Logto for new tokens: the one request per refresh token that does."""
        try:
            await self.client.refresh_tokens(resource)
        except RefreshRefused as error:
            return RefreshOutcome("refused", detail=str(error))
        except TokenDenied as error:
            return RefreshOutcome("denied", detail=str(error), target=resource)
        except IdpUnavailable as error:
            return RefreshOutcome("unreachable", detail=str(error))
        stored = {key: self._storage.get(key) for key in RENEWED_KEYS}
        tokens: dict[str, str] = {key: value for key, value in stored.items() if value is not None}
        claims = decoded_id_token_claims(tokens.get("idToken", ""))
        exp = claims.get("exp") if claims is not None else None
        fresh_until = exp - EXPIRY_MARGIN_SECONDS if isinstance(exp, int) else None
        return RefreshOutcome("renewed", tokens=tokens, fresh_until=fresh_until, target=resource)

    def cached_userinfo(self) -> dict[str, Any] | None:
        cached = self._session.get(USERINFO_KEY)
        return json.loads(cached) if isinstance(cached, str) else None

    async def fetch_userinfo(self) -> tuple[dict[str, Any] | None, str | None]:
        """Ask Logto's userinfo endpoint once per sign-in (later pages read the session).

        Returns the userinfo, or None and a notice to show when Logto cannot answer. An
        expired access token is renewed first, as `refreshed_user` renews an ID token.
        """
        if not self.client.has_access_token():
            try:
                outcome = await self._renew(sign_out_if_refused=False)  # the page still shows
            except Failure:
                outcome = RefreshOutcome("unreachable", detail="renewal unavailable")
            if outcome.kind != "renewed":
                logger.warning("no access token for userinfo: %s", outcome.detail)
                return None, USERINFO_UNAVAILABLE
        try:
            info = await self.client.fetch_userinfo_claims()
        except (IdpUnavailable, LogtoException) as error:
            logger.warning("userinfo request failed: %s", error)
            return None, USERINFO_UNAVAILABLE
        self._session[USERINFO_KEY] = json.dumps(info)
        return info, None


def decoded_id_token_claims(id_token: str) -> dict[str, Any] | None:
    """An ID token's claims (those with a value), or None if it is not a JWT whose payload is
    a JSON object naming a `sub`.

    Read, not verified: the token was verified (signature, issuer, audience, times) when
    Logto's token response was stored, and the session it comes from is signed or kept on the
    server. Reading the payload segment is all a page needs; the SDK's own decoding, PyJWT and
    a model, cost seven times as much, on every signed-in page. No cache: each request gets
    its own dict, decoded from its own session's token.
    """
    try:
        _header, payload, _signature = id_token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:  # not three segments, not base64, not UTF-8 JSON
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
        return None
    return {name: value for name, value in claims.items() if value is not None}


def issued_within(claims: Mapping[str, Any], seconds: int) -> bool:
    """Whether an ID token's claims were issued (`iat`) less than `seconds` ago (never, for 0)."""
    issued_at = claims.get("iat")
    return isinstance(issued_at, int) and time.time() - issued_at < seconds


def unexpired_access_token(
    tokens: Mapping[str, str], resource: str, margin: int = SDK_ACCESS_TOKEN_MARGIN_SECONDS
) -> str | None:
    """The access token for `resource` among a renewal's stored `tokens`, unless it has
    expired (the SDK counts one as expired a minute early: that minute still serves, unless
    `margin` says otherwise)."""
    try:
        entry = AccessTokenMap.model_validate_json(tokens.get("accessTokenMap", "")).x[resource]
    except (ValueError, KeyError):
        return None
    return entry.token if entry.expiresAt + margin > time.time() else None


def _renewed_since(started: float, seconds: int) -> Covers:
    """A renewal made since `started` (for this request, or one beside it), or one whose ID
    token Logto issued less than `seconds` ago."""

    def covers(outcome: RefreshOutcome) -> bool:
        if outcome.at >= started:
            return True
        claims = decoded_id_token_claims(outcome.tokens.get("idToken", ""))
        return claims is not None and issued_within(claims, seconds)

    return covers


def _holds_access_token_for(resource: str, started: float) -> Covers:
    """A renewal that got `resource`'s token, or Logto's refusal of that very token. One made
    before `started` (kept for later requests) serves only while the SDK still counts its
    token as valid: in the minute the SDK calls expired, a later request renews anew instead
    of taking the same token again until it really expires."""

    def covers(outcome: RefreshOutcome) -> bool:
        if outcome.kind == "denied":
            return outcome.target == resource
        if unexpired_access_token(outcome.tokens, resource) is None:
            return False
        if outcome.at >= started:  # made for this request, or for one beside it
            return True
        return unexpired_access_token(outcome.tokens, resource, margin=0) is not None

    return covers


def display_name(user: dict[str, Any]) -> str:
    """What to call the user: their name, else their username, else their ID."""
    for claim in ("name", "username", "email", "phone_number", "sub"):
        value = user.get(claim)
        if isinstance(value, str) and value:
            return value
    return "there"

"""Sign-in, callback, sign-out and the current user: the flow both web frameworks share."""

from __future__ import annotations

import json
import logging
from collections.abc import MutableMapping
from dataclasses import replace
from typing import Any

from logto import LogtoConfig, LogtoException, UserInfoScope

from .csrf import csrf_token_matches
from .failures import (
    IDP_UNREACHABLE,
    SIGN_OUT_NOT_CONFIRMED,
    SIGNED_OUT_HERE_ONLY,
    USERINFO_UNAVAILABLE,
    describe_callback_failure,
)
from .logto_client import AppLogtoClient, IdpUnavailable
from .return_to import safe_return_path
from .session_storage import SessionStorage
from .settings import Settings
from .sign_in_options import SignInOption, with_params

RETURN_TO_KEY = "app.return_to"
USERINFO_KEY = "app.userinfo"
# Asked for on top of the SDK's own `openid offline_access profile`.
SCOPES: list[str | UserInfoScope] = [UserInfoScope.email, UserInfoScope.phone]

logger = logging.getLogger(__name__)


class LogtoAuth:
    """The app's one Logto client plus the steps around it; `session` is the framework's
    session proxy, so the same instance serves every request."""

    def __init__(self, settings: Settings, session: MutableMapping[str, Any]) -> None:
        self.settings = settings
        self._session = session
        self.client = AppLogtoClient(
            LogtoConfig(
                endpoint=settings.logto_endpoint,
                appId=settings.logto_app_id,
                appSecret=settings.logto_app_secret,
                scopes=SCOPES,
            ),
            storage=SessionStorage(session),
        )

    async def sign_in_url(
        self,
        return_to: str | None,
        *,
        sign_up: bool = False,
        option: SignInOption | None = None,
    ) -> str:
        """Start a sign-in; Logto opens on its sign-up screen when `sign_up` is set, or where
        `option` (phone, Patreon) points."""
        self._session.pop(USERINFO_KEY, None)
        self._session[RETURN_TO_KEY] = safe_return_path(return_to) or "/"
        mode = "signUp" if sign_up else None
        try:
            url = await self.client.signIn(self.settings.redirect_uri, mode)
            return with_params(url, option.params) if option else url
        except IdpUnavailable as error:
            logger.warning("cannot start sign-in: %s", error)
            raise replace(IDP_UNREACHABLE, log_detail=str(error)) from error

    async def complete_sign_in(self, callback_url: str, oauth_error: str | None) -> str:
        """Finish the sign-in from the callback URL; returns the path to go to next.

        Raises `Failure` (status, title, message) when it cannot be completed.
        """
        try:
            await self.client.handleSignInCallback(callback_url)
        except Exception as error:
            failure = describe_callback_failure(error, oauth_error)
            logger.warning("sign-in callback failed (%s): %s", failure.status, failure.log_detail)
            raise failure from error
        return_to = self._session.pop(RETURN_TO_KEY, None)
        return safe_return_path(return_to) or "/"

    async def sign_out_url(self, submitted_csrf_token: str | None) -> str:
        """Forget the user here and return Logto's end-session URL (which ends its session).

        Only a form carrying the session's CSRF token may sign a user out.
        """
        if not csrf_token_matches(self._session, submitted_csrf_token):
            raise replace(SIGN_OUT_NOT_CONFIRMED)
        try:
            return await self.client.signOut(self.settings.post_sign_out_redirect_uri)
        except IdpUnavailable as error:
            logger.warning("signed out locally, but Logto is unreachable: %s", error)
            raise replace(SIGNED_OUT_HERE_ONLY, log_detail=str(error)) from error
        finally:
            self._session.clear()

    def current_user(self) -> dict[str, Any] | None:
        """The ID token's claims, or None when nobody is signed in."""
        if not self.client.isAuthenticated():
            return None
        return self.client.getIdTokenClaims().model_dump(exclude_none=True)

    def cached_userinfo(self) -> dict[str, Any] | None:
        cached = self._session.get(USERINFO_KEY)
        return json.loads(cached) if isinstance(cached, str) else None

    async def fetch_userinfo(self) -> tuple[dict[str, Any] | None, str | None]:
        """Ask Logto's userinfo endpoint once per sign-in (later pages read the session).

        Returns the userinfo, or None and a notice to show when Logto cannot answer.
        """
        try:
            info = (await self.client.fetchUserInfo()).model_dump(exclude_none=True)
        except (IdpUnavailable, LogtoException) as error:
            logger.warning("userinfo request failed: %s", error)
            return None, USERINFO_UNAVAILABLE
        self._session[USERINFO_KEY] = json.dumps(info)
        return info, None


def display_name(user: dict[str, Any]) -> str:
    """What to call the user: their name, else their username, else their ID."""
    for claim in ("name", "username", "email", "phone_number", "sub"):
        value = user.get(claim)
        if isinstance(value, str) and value:
            return value
    return "there"

"""Sign-in, callback, sign-out and the current user: the flow both web frameworks share."""

from __future__ import annotations

import json
import logging
from collections.abc import MutableMapping
from typing import Any

from logto import LogtoConfig, UserInfoScope

from .callback_errors import describe_callback_failure
from .logto_client import AppLogtoClient
from .return_to import safe_return_path
from .session_storage import SessionStorage
from .settings import Settings

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

    async def sign_in_url(self, return_to: str | None, *, sign_up: bool = False) -> str:
        """Start a sign-in; Logto opens on its sign-up screen when `sign_up` is set."""
        self._session.pop(USERINFO_KEY, None)
        self._session[RETURN_TO_KEY] = safe_return_path(return_to) or "/"
        return await self.client.signIn(self.settings.redirect_uri, "signUp" if sign_up else None)

    async def complete_sign_in(self, callback_url: str, oauth_error: str | None) -> str:
        """Finish the sign-in from the callback URL; returns the path to go to next.

        Raises `CallbackFailure` (status, title, message) when it cannot be completed.
        """
        try:
            await self.client.handleSignInCallback(callback_url)
        except Exception as error:
            failure = describe_callback_failure(error, oauth_error)
            logger.warning("sign-in callback failed (%s): %s", failure.status, failure.log_detail)
            raise failure from error
        return_to = self._session.pop(RETURN_TO_KEY, None)
        return safe_return_path(return_to) or "/"

    async def sign_out_url(self) -> str:
        """Forget the user here and return Logto's end-session URL (which ends its session)."""
        try:
            return await self.client.signOut(self.settings.post_sign_out_redirect_uri)
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

    async def fetch_userinfo(self) -> dict[str, Any]:
        """Ask Logto's userinfo endpoint once per sign-in; later pages read the session."""
        info = (await self.client.fetchUserInfo()).model_dump(exclude_none=True)
        self._session[USERINFO_KEY] = json.dumps(info)
        return info


def display_name(user: dict[str, Any]) -> str:
    """What to call the user: their name, else their username, else their ID."""
    for claim in ("name", "username", "email", "phone_number", "sub"):
        value = user.get(claim)
        if isinstance(value, str) and value:
            return value
    return "there"

"""What `POST /backchannel-logout` does, framework-free (web/backchannel_logout.py holds the
route): Logto's logout token ends the sessions of that Logto session.

- `logto_session_of` tells the session layer which Logto session a signed-in session belongs
  to (the `sid` and `sub` of its ID token), so it is bound when first written after sign-in;
- `check` validates the token (auth/logout_tokens.py): 400 when it breaks a rule, 503 when
  Logto's keys cannot be fetched;
- `end_sessions` refuses a `jti` seen before (400), then deletes every session bound to the
  token's `sid` (or, with only a `sub`, every session of that user): 200 with
  `Cache-Control: no-store`, also when none was bound; 503 when the store fails (the `jti` is
  then forgotten again, so the same token can be sent again).

The route reads no session and sets no cookie; it is Logto's server calling, so there is no
CSRF token (the token's signature is what proves the sender).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..auth.logout_tokens import (
    InvalidLogoutToken,
    LogoutRequest,
    LogoutTokenValidator,
)
from ..auth.logto_auth import LogtoAuth, decoded_id_token_claims
from ..auth.logto_client import BoundedOidcCore, IdpUnavailable
from ..auth.published_keys import KeysUnavailable
from ..auth.session_storage import ID_TOKEN_KEY
from ..sessions import SessionStoreError
from ..sessions.server_side import (
    LogtoSession,
    SessionStore,
    end_logto_session,
    forget_logout_token,
    remember_logout_token,
)

PATH = "/backchannel-logout"
FORM_FIELD = "logout_token"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """The HTTP response: a status, a JSON body, headers."""

    status: int
    body: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> str:
        return json.dumps(self.body)

    def all_headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Cache-Control": "no-store", **self.headers}


DONE = Answer(200)


def refused(reason: str) -> Answer:
    return Answer(400, {"error": "invalid_request", "error_description": reason})


def unavailable(reason: str) -> Answer:
    body = {"error": "temporarily_unavailable", "error_description": reason}
    return Answer(503, body, {"Retry-After": "5"})


def logto_session_of(data: Mapping[str, Any]) -> LogtoSession | None:
    """The Logto session of a session's data: its ID token's `sid` and `sub` (the ID token
    was verified when stored; its claims are decoded once per process), or None."""
    id_token = data.get(ID_TOKEN_KEY)
    claims = decoded_id_token_claims(id_token) if isinstance(id_token, str) else None
    sub = claims.get("sub") if claims is not None else None
    if claims is None or not isinstance(sub, str) or not sub:
        return None
    sid = claims.get("sid")
    return LogtoSession(sid if isinstance(sid, str) and sid else None, sub)


class BackchannelLogout:
    """One per app: the app's Logto client (for its JWKS client) and session store."""

    def __init__(self, auth: LogtoAuth, store: SessionStore) -> None:
        self.auth, self.store = auth, store
        self._validator: LogoutTokenValidator | None = None

    async def validator(self) -> LogoutTokenValidator | Answer:
        """The token checker over the app's JWKS client; 503 while Logto's discovery cannot
        be fetched (it is fetched once, then cached like the sign-in's)."""
        if self._validator is None:
            try:
                core = await self.auth.client.getOidcCore()
            except IdpUnavailable as error:
                logger.error("back-channel logout: Logto is unreachable: %s", error)
                return unavailable("Logto's discovery document cannot be fetched")
            assert isinstance(core, BoundedOidcCore)
            settings = self.auth.settings
            issuer = f"{settings.logto_endpoint}/oidc"
            self._validator = LogoutTokenValidator(core.jwksClient, issuer, settings.logto_app_id)
        return self._validator

    @staticmethod
    def check(validator: LogoutTokenValidator, token: str | None) -> LogoutRequest | Answer:
        """Blocking (a key fetch): an async route runs it in a thread."""
        try:
            return validator.validate(token)
        except InvalidLogoutToken as error:
            logger.warning("back-channel logout refused: %s", error)
            return refused(str(error))
        except KeysUnavailable as error:
            logger.error("back-channel logout: %s", error)
            return unavailable("Logto's signing keys cannot be fetched")

    def end_sessions(self, request: LogoutRequest) -> Answer:
        """Blocking (store calls): an async route runs it on the store's threads."""
        try:
            if not remember_logout_token(self.store, request.jti, request.remember_until):
                logger.warning("back-channel logout refused: jti %r was used", request.jti)
                return refused("this logout token was already used")
        except SessionStoreError:
            return unavailable("the session store is unavailable")
        try:
            ended = end_logto_session(self.store, request.sid, request.sub)
        except SessionStoreError:
            with contextlib.suppress(SessionStoreError):
                forget_logout_token(self.store, request.jti)
            return unavailable("the session store is unavailable")
        what = f"Logto session {request.sid}" if request.sid else f"user {request.sub}"
        logger.info("back-channel logout: %s signed out of %d session(s)", what, ended)
        return DONE

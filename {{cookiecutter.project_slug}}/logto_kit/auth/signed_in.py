"""Who is signed in, for one request: what `current_user`, `login_required` and every page's
template context decide, free of any web framework (`web/signed_in.py` adapts it).

Reading the user costs no call to Logto while the ID token is valid. Once it has expired,
the first look in a request renews it (one refresh for all the session's concurrent
requests, token_refresh.py); the request remembers that outcome, so later looks in the same
request neither renew again nor disagree.
"""

from __future__ import annotations

from typing import Any

from ..connectors import CHOSEN
from .failures import Failure
from .logto_auth import CurrentUser, LogtoAuth, display_name
from .sign_in_options import SignInOption

User = dict[str, Any]
#: The sign-in buttons of the chosen connectors, by their path segment.
SIGN_IN_OPTIONS: dict[str, SignInOption] = {
    connector.button.slug: connector.button for connector in CHOSEN
}


class RequestUser:
    """The signed-in user as one request sees it; one per request."""

    def __init__(self, auth: LogtoAuth) -> None:
        self._auth = auth
        self._renewed = False
        self._renewed_user: User | None = None
        self._failure: Failure | None = None
        #: Set while the error page of a failed session store or renewal is shown: that page
        #: is rendered as signed out, without another look at the session or Logto.
        self.showing_failure = False

    @property
    def failed(self) -> bool:
        """Whether renewing this request's sign-in failed (Logto unreachable)."""
        return self._failure is not None

    def known(self) -> CurrentUser:
        """The user, None, or `NEEDS_REFRESH` when only a renewal can tell (`renewed()`).
        Raises the `Failure` a renewal of this request met."""
        if self._failure is not None:
            raise self._failure
        if self._renewed:  # a short-lived renewed token stays valid for this request
            return self._renewed_user
        return self._auth.current_user()

    async def issued_within(self, seconds: int) -> User | None:
        """The user from an ID token issued less than `seconds` ago, renewed first if older
        (`LogtoAuth.user_issued_within`); once per request, like `renewed()`."""
        if self._failure is not None:
            raise self._failure
        if self._renewed:  # renewed by this request: as fresh as it gets
            return self._renewed_user
        try:
            user = await self._auth.user_issued_within(seconds)
        except Failure as failure:
            self._failure = failure
            raise
        self._renewed, self._renewed_user = True, user
        return user

    async def renewed(self) -> User | None:
        """The user after renewing an expired sign-in, once per request. Raises `Failure`
        (503) while Logto cannot be reached; the session is kept for a later request."""
        try:
            user = await self._auth.refreshed_user()
        except Failure as failure:
            self._failure = failure
            raise
        self._renewed, self._renewed_user = True, user
        return user


def page_context(user: User | None) -> dict[str, Any]:
    """What every page's template gets about the visitor: `user` (the ID token's claims, or
    None), `user_name`, and for a signed-out visitor the chosen connectors' sign-in buttons."""
    if user is None:
        return {"user": None, "user_name": None, "sign_in_options": SIGN_IN_OPTIONS.values()}
    return {"user": user, "user_name": display_name(user), "sign_in_options": ()}


def sign_in_next(full_path: str) -> str:
    """The `next` of the sign-in that `login_required` starts: the page asked for."""
    return full_path.rstrip("?")

"""What the signed-in user may do with the API, for the pages: the permissions their access
token holds, checked by the same verifier as the API's own routes."""

from __future__ import annotations

from dataclasses import dataclass

from .access_tokens import BearerError, VerifiedToken
from .scopes import API_SCOPES


@dataclass(frozen=True)
class Permission:
    scope: str
    description: str
    held: bool


@dataclass(frozen=True)
class ApiAccess:
    """The user's access to the API: their checked token, or why there is none."""

    token: VerifiedToken | None
    problem: str | None = None

    @property
    def permissions(self) -> list[Permission]:
        held = self.token.scopes if self.token else frozenset()
        return [Permission(scope, text, scope in held) for scope, text in API_SCOPES.items()]


def refused_access(error: BearerError) -> ApiAccess:
    """A token Logto gave that the API refuses: the API resource is set up unlike this app."""
    return ApiAccess(None, f"Logto's access token was refused: {error.description}")

"""Patreon: "Continue with Patreon" social sign-in (@logto/connector-patreon). The button goes
straight to Patreon (`direct_sign_in=social:patreon`), which works once the connector exists
and Patreon is a social button of the sign-in experience; `provision` sees to both.

Logto's callback for a social connector is `{endpoint}/callback/<connector id>`, and the
Patreon client must know it: `provision` creates the connector with the id `patreon` so that
the URI is known before it exists; one made in Logto Console has a generated id (its page
shows the "Callback URI")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..auth.sign_in_options import SignInOption
from .connector import CheckKind, Connector, Shape, SignInExperienceChanges

TARGET = "patreon"  # the social target: direct_sign_in=social:patreon
DEFAULT_SCOPE = "identity identity[email]"
SHAPES = {
    "PATREON_CLIENT_ID": Shape(
        re.compile(r"[A-Za-z0-9_-]{8,}"), "the Client ID of your Patreon client"
    ),
    "PATREON_CLIENT_SECRET": Shape(
        re.compile(r"[A-Za-z0-9_-]{8,}"), "the Client Secret of your Patreon client", secret=True
    ),
    "PATREON_SCOPE": Shape(
        re.compile(r"[a-z][a-z0-9_.\[\]]*( [a-z][a-z0-9_.\[\]]*)*"),
        "space-separated Patreon scopes, e.g. identity identity[email]",
        default=DEFAULT_SCOPE,
    ),
}


class Patreon(Connector):
    name = "Patreon"
    factory_id = "patreon-universal"
    order = 20
    button = SignInOption(
        "patreon", "Continue with Patreon", {"direct_sign_in": f"social:{TARGET}"}
    )
    paste_where = "Logto Console > Connectors > Social connectors > Add > Patreon"
    secret_keys = ("clientSecret",)
    connector_id = "patreon"  # chosen by us, so its callback URL is known in advance
    shapes = SHAPES

    def config(self, values: Mapping[str, str]) -> dict[str, Any]:
        given = self.checked_values(values)
        return {
            "clientId": given["PATREON_CLIENT_ID"],
            "clientSecret": given["PATREON_CLIENT_SECRET"],
            "scope": given["PATREON_SCOPE"],
        }

    def sign_in_experience(
        self, current: Mapping[str, Any], flags: frozenset[str]
    ) -> SignInExperienceChanges:
        changes = SignInExperienceChanges()
        have = list(current.get("socialSignInConnectorTargets") or [])
        if TARGET not in have:
            changes.body["socialSignInConnectorTargets"] = [*have, TARGET]  # the list replaces
            changes.said.append(f"add the social sign-in button {TARGET}")
        return changes

    def notes(self, endpoint: str, connector_id: str) -> list[str]:
        uri = callback_uri(endpoint, connector_id)
        return [f"Patreon: your Patreon client needs the Redirect URI {uri}"]

    def check_sign_in_experience(
        self, sign_in_exp: Mapping[str, Any], provision: str
    ) -> list[tuple[CheckKind, str]]:
        if TARGET in sign_in_exp["socialSignInConnectorTargets"]:
            return [
                ("ok", 'Patreon is a social sign-in button (the "Continue with Patreon" button)')
            ]
        fix = (
            f"Patreon is not a social sign-in button of the sign-in experience, so "
            f'"Continue with Patreon" lands on the sign-in page: run `{provision}` (or Logto '
            "Console > Sign-in experience > Sign-up and sign-in > Social sign-in: add Patreon)"
        )
        return [("fix", fix)]


def callback_uri(logto_endpoint: str, connector_id: str = "patreon") -> str:
    """The Redirect URI to register on the Patreon client."""
    return f"{logto_endpoint}/callback/{connector_id}"


CONNECTOR = Patreon()

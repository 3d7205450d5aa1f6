"""Extra ways to start a sign-in (a button each, defined by the connectors): Logto's
first-screen and direct sign-in parameters, added to the URL the SDK builds (SDK 0.2.1 has no
argument for them).

Logto drops every extra parameter when one is invalid (`identifier:sign-in` with a hyphen,
as some docs show, is invalid), so each connector's exact values are tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit


@dataclass(frozen=True)
class SignInOption:
    slug: str  # the route: /sign-in/<slug>
    label: str
    params: dict[str, str] = field(default_factory=dict)


def with_params(url: str, params: dict[str, str]) -> str:
    """`url` with `params` appended to its query, percent-encoded."""
    if not params:
        return url
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))

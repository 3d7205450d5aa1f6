"""`next` may only name a path on this site: no payload may send the user elsewhere."""

from __future__ import annotations

import pytest

from logto_kit.auth.return_to import safe_return_path

LOCAL = ["/", "/profile", "/profile?tab=claims#top", "/a/b/c", "/%7Euser", "/search?q=//x"]

#: Local paths with characters a `Location` header must not carry raw: percent-encoded.
ENCODED = [
    ("/ /evil.example", "/%20/evil.example"),
    ("/é", "/%C3%A9"),
    ('/a"b<c>', "/a%22b%3Cc%3E"),
    ("/search?q=a b&x=%2F", "/search?q=a%20b&x=%2F"),
]

OFF_SITE = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "HTTPS://evil.example",
    "http://evil.example/profile",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "profile",
    "",
    " //evil.example",
    "/%2Fevil.example",
    "/%2fevil.example",
    "%2F%2Fevil.example",
    "/%252Fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%0d%0a/evil.example",
    "/\x00/evil.example",
    "/\x7f",
    "/\u0085/evil.example",
    "//evil.example/%2e%2e",
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("path", LOCAL)
def test_local_paths_are_kept(path: str) -> None:
    assert safe_return_path(path) == path


@pytest.mark.parametrize(("path", "encoded"), ENCODED)
def test_other_characters_are_percent_encoded(path: str, encoded: str) -> None:
    assert safe_return_path(path) == encoded


@pytest.mark.parametrize("payload", OFF_SITE)
def test_off_site_payloads_are_refused(payload: str) -> None:
    assert safe_return_path(payload) is None


def test_none_is_refused() -> None:
    assert safe_return_path(None) is None

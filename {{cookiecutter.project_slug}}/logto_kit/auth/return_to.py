"""Where to send a user after sign-in: only paths on this site, never another origin."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

MAX_LENGTH = 2048
DECODE_ROUNDS = 3  # catches double- and triple-encoded `//evil.example`
#: What stays as it is when a path is percent-encoded for `Location`: the URL's own delimiters
#: and the escapes already in it; spaces, quotes and non-ASCII characters are encoded.
URL_SAFE = "/?#[]@!$&'()*+,;=:%~"


def safe_return_path(candidate: str | None) -> str | None:
    """`candidate` if it is a same-origin absolute path (`/profile?tab=1`), percent-encoded
    so it is a valid `Location` in any framework (a space becomes `%20`), else None.

    Browsers read `//host`, `/\\host` and `https:host` as other sites, drop tabs and newlines
    inside URLs, and some proxies decode `%2F` — so those are refused in any encoding.
    """
    if not candidate or len(candidate) > MAX_LENGTH:
        return None
    forms = [candidate]
    for _ in range(DECODE_ROUNDS):
        forms.append(unquote(forms[-1]))
    if not all(_is_local_path(form) for form in forms):
        return None
    encoded = quote(candidate, safe=URL_SAFE)
    return encoded if _is_local_path(encoded) else None


def _is_local_path(path: str) -> bool:
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return False
    if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in path):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc

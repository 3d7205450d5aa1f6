"""Values as messages show them: a URL's password masked. Every message, page and log line that
shows a setting's value or a server's address passes it through `masked` (settings errors, so
the setup page and the start error; the session store's errors and log lines; the `logto`
commands)."""

from __future__ import annotations

import re

MASK = "***"
#: Query parameters that carry a password (libpq's `password`, redis-py's `password`, ...).
_SECRET_PARAMETER = re.compile(
    r"(?i)([?&;](?:[a-z_]*password|passwd|pwd|[a-z_]*secret|[a-z_]*token)=)[^&;#]*"
)


def masked(value: str) -> str:
    """`value` with the password of its `user:password@` part and of password-like query
    parameters replaced by `***`; anything else as it is. Malformed URLs too: a password
    holding an unescaped `/`, `?`, `#` or `@` (which SQLAlchemy accepts) is masked whole, and
    a value that is no URL but reads `user:password@host` is masked the same way."""
    start = value.find("://")
    start = 0 if start < 0 else start + 3
    rest = value[start:]
    authority_end = next((i for i, char in enumerate(rest) if char in "/?#"), len(rest))
    at = rest.rfind("@", 0, authority_end)
    if at < 0:
        at = rest.rfind("@")  # a password holding "/", "?" or "#": to the last "@"
    user, colon, _password = rest[: max(at, 0)].partition(":")
    if at >= 0 and colon:
        rest = f"{user}:{MASK}{rest[at:]}"
    return _SECRET_PARAMETER.sub(rf"\g<1>{MASK}", value[:start] + rest)

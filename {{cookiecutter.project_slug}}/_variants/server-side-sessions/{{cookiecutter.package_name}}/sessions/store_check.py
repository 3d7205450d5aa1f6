"""Start-up checks of a server-side session store, reported as one line."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from ..settings import SettingsError


def masked(url: str) -> str:
    """`url` with any password replaced by `***`, fit for logs and error lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def unreachable(
    what: str, variable: str, address: str, error: BaseException, fix: str
) -> SettingsError:
    """`cannot reach Redis at redis://host:6379/0 (REDIS_URL): <reason>: <fix>`."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return SettingsError(f"cannot reach {what} at {masked(address)} ({variable}): {reason}: {fix}")

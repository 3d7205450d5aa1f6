"""Settings read from the environment and the project's `.env`, checked once at start."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from dotenv import dotenv_values

from .about import PROTECTED_API, SESSION_BACKEND
from .masking import masked
from .sessions.store_settings import STORE_SETTINGS, StoreSettings, store_fields

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MIN_SECRET_KEY_LENGTH = 32
CONFIG_ERROR_EXIT_CODE = 3  # gunicorn stops (instead of respawning workers) on this code
SESSION_LIFETIME_SECONDS = 14 * 24 * 60 * 60  # as long as Logto's default refresh token
#: A session store that does not answer fails the request (a 503 page) after about this long.
STORE_CONNECT_TIMEOUT_SECONDS = 2  # libpq's shortest connect_timeout
STORE_COMMAND_TIMEOUT_SECONDS = 1.5
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: The largest request body read (MAX_REQUEST_BYTES): forms and logout tokens are a few KiB.
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
MIN_REQUEST_BYTES = 16 * 1024  # a sign-in form or a logout token always fits

#: The command that creates this app in Logto and writes its LOGTO_APP_ID / LOGTO_APP_SECRET:
#: the project's `logto` console script (pyproject.toml), the same whatever the framework.
PROVISION_COMMAND = "logto provision"
WHERE_TO_FIND = {
    "LOGTO_ENDPOINT": (
        "set your Logto tenant's URL (https://<tenant-id>.logto.app for Logto Cloud, shown in "
        "Logto Console > Settings > Domains; http://localhost:3001 for a local Logto)"
    ),
    "LOGTO_APP_ID": (
        f"run `{PROVISION_COMMAND}` (it creates the app and writes this), or copy it from "
        "Logto Console > Applications > your app > App ID"
    ),
    "LOGTO_APP_SECRET": (
        f"run `{PROVISION_COMMAND}` (it creates the app and writes this), or copy it from "
        "Logto Console > Applications > your app > App secrets"
    ),
    "LOGTO_M2M_APP_ID": (
        'in Logto Console > Applications, create a "Machine-to-machine" app with the "Logto '
        'Management API access" role, and copy its App ID'
    ),
    "LOGTO_M2M_APP_SECRET": (
        'in Logto Console > Applications, create a "Machine-to-machine" app with the "Logto '
        'Management API access" role, and copy its App secret'
    ),
    "SECRET_KEY": (
        'generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
    ),
    "LOGTO_API_RESOURCE": (
        "copy the API identifier from Logto Console > API resources, e.g. https://api.example.com"
    ),
    "APP_BASE_URL": (
        "set the URL this app is served at, e.g. http://localhost:3000 "
        "(its /callback must be a Redirect URI of your app in Logto Console)"
    ),
    **STORE_SETTINGS,  # where sessions live (sessions/store_settings.py)
}


T = TypeVar("T")


class SettingsError(Exception):
    """Settings missing or malformed; the message is one line that says how to fix each of
    them (`problems`, one per setting)."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        if len(problems) == 1:
            super().__init__(problems[0])
        else:
            super().__init__(f"{len(problems)} settings need fixing: " + "; ".join(problems))


class AppUris:
    """The URIs Logto must know for an app served at `app_base_url`."""

    app_base_url: str

    @property
    def redirect_uri(self) -> str:
        return redirect_uri(self.app_base_url)

    @property
    def post_sign_out_redirect_uri(self) -> str:
        return post_sign_out_redirect_uri(self.app_base_url)

    @property
    def backchannel_logout_uri(self) -> str:
        return backchannel_logout_uri(self.app_base_url)


@dataclass(frozen=True)
class Settings(StoreSettings, AppUris):
    """What the app is run with. The session store's own settings (`StoreSettings`, from
    sessions/store_settings.py) are keyword-only fields."""

    logto_endpoint: str
    logto_app_id: str
    logto_app_secret: str
    secret_key: str
    app_base_url: str

    session_backend: str = SESSION_BACKEND
    api_resource: str | None = None  # this app's API resource indicator (PROTECTED_API)
    log_level: str = "INFO"
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES  # larger request bodies: a 413 page

    @property
    def uses_https(self) -> bool:
        return self.app_base_url.startswith("https://")


def redirect_uri(app_base_url: str) -> str:
    """Where Logto sends the user back after sign-in (register it in Logto Console)."""
    return f"{app_base_url}/callback"


def post_sign_out_redirect_uri(app_base_url: str) -> str:
    """Where Logto sends the user after sign-out (register it in Logto Console)."""
    return f"{app_base_url}/"


def backchannel_logout_uri(app_base_url: str) -> str:
    """Where Logto POSTs logout tokens, with back-channel logout (register it in Logto)."""
    return f"{app_base_url}/backchannel-logout"


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = PROJECT_ROOT / ".env",
    protected_api: bool = PROTECTED_API,
) -> Settings:
    """Read settings; real environment variables win over `.env` entries. Raises one
    `SettingsError` naming every setting that is missing or malformed."""
    values = read_env(dotenv_path, environ)
    problems: list[str] = []

    def checked(read: Callable[[], T]) -> T:
        try:
            return read()
        except SettingsError as error:
            problems.extend(error.problems)
            return None  # type: ignore[return-value]  # never used: `problems` is raised

    fields = {
        "logto_endpoint": checked(lambda: required_origin(values, "LOGTO_ENDPOINT")),
        "logto_app_id": checked(lambda: required(values, "LOGTO_APP_ID")),
        "logto_app_secret": checked(lambda: required(values, "LOGTO_APP_SECRET")),
        "secret_key": checked(lambda: _secret_key(values)),
        "app_base_url": checked(lambda: required_origin(values, "APP_BASE_URL")),
        "log_level": checked(lambda: _log_level(values)),
        "max_request_bytes": checked(lambda: _max_request_bytes(values)),
        **(checked(lambda: _session_store(values)) or {}),
    }
    if protected_api:
        fields["api_resource"] = checked(lambda: _api_resource(values))
    if problems:
        raise SettingsError(*problems)
    return Settings(**fields)


def _session_store(values: Mapping[str, str | None]) -> dict[str, Any]:
    """The settings that say where sessions live (sessions/store_settings.py)."""
    given = {name: required(values, name) for name in STORE_SETTINGS}
    try:
        return store_fields(given, PROJECT_ROOT)
    except ValueError as error:
        raise SettingsError(str(error)) from None


@contextmanager
def one_line_settings_errors() -> Iterator[None]:
    """At a server start, turn a settings problem into one line on stderr and exit code 3."""
    try:
        yield
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(CONFIG_ERROR_EXIT_CODE) from None


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return lowered.startswith(("your-", "<", "replace-", "changeme")) or "your-tenant" in lowered


def read_env(dotenv_path: Path | None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the app reads: `.env`'s entries (empty ones left out) under the environment's
    (`environ`, by default the real environment), which win."""
    values = {k: v for k, v in dotenv_values(dotenv_path).items() if v} if dotenv_path else {}
    values.update(os.environ if environ is None else environ)
    return values


def required(values: Mapping[str, str | None], name: str, where: str | None = None) -> str:
    """`name`'s value; SettingsError, saying `where` to find it, when unset or a placeholder."""
    where = where or WHERE_TO_FIND[name]
    value = (values.get(name) or "").strip()
    if not value:
        raise SettingsError(f"{name} is not set: {where}, into .env")
    if is_placeholder(value):
        raise SettingsError(f"{name} is still the placeholder {masked(value)!r}: {where}")
    return value


#: A random key of 32+ characters has far more distinct characters than this.
MIN_SECRET_KEY_DISTINCT_CHARACTERS = 10
#: Words of hints and examples (not of random keys); long enough never to occur by chance.
WEAK_SECRET_KEY_WORDS = (
    "changeme",
    "change-me",
    "change_me",
    "changethis",
    "change-this",
    "password",
    "passw0rd",
    "secretkey",
    "secret-key",
    "secret_key",
    "insecure",
    "example",
    "placeholder",
    "import secrets",
    "token_urlsafe",
    "token_hex",
    "random characters",
)


def _secret_key(values: Mapping[str, str | None]) -> str:
    value = required(values, "SECRET_KEY")
    problem = secret_key_problem(value)
    if problem:
        raise SettingsError(f"SECRET_KEY {problem}: {WHERE_TO_FIND['SECRET_KEY']}")
    return value


def secret_key_problem(value: str) -> str | None:
    """Why `value` is no random secret key (never quoting it), or None when it may be one."""
    if len(value) < MIN_SECRET_KEY_LENGTH:
        return f"is too short ({len(value)} characters, need {MIN_SECRET_KEY_LENGTH}+)"
    lowered = value.lower()
    word = next((word for word in WEAK_SECRET_KEY_WORDS if word in lowered), None)
    if word:
        return f"holds {word!r}: it is an example or hint, not a random key"
    distinct = len(set(value))
    if distinct < MIN_SECRET_KEY_DISTINCT_CHARACTERS:
        return (
            f"has only {distinct} different characters "
            f"(need {MIN_SECRET_KEY_DISTINCT_CHARACTERS}+): it is guessable, not random"
        )
    period = next(
        (size for size in range(1, len(value) // 2 + 1) if value[size:] == value[:-size]), None
    )
    if period:
        return f"repeats the same {period} characters: it is guessable, not random"
    return None


def required_origin(values: Mapping[str, str | None], name: str, where: str | None = None) -> str:
    """An `http(s)://host[:port]` URL; one trailing slash is forgiven."""
    value = required(values, name, where).removesuffix("/")
    problem = origin_problem(value)
    if problem:
        where = where or WHERE_TO_FIND[name]
        raise SettingsError(f"{name}={masked(value)!r} {problem}: {where}")
    return value


def _api_resource(values: Mapping[str, str | None]) -> str:
    """An absolute http(s) URI without a fragment (RFC 8707): the API's access token audience."""
    value = required(values, "LOGTO_API_RESOURCE")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise SettingsError(
            f"LOGTO_API_RESOURCE={masked(value)!r} is not an http(s) URI without a fragment: "
            f"{WHERE_TO_FIND['LOGTO_API_RESOURCE']}"
        )
    return value


def _log_level(values: Mapping[str, str | None]) -> str:
    """LOG_LEVEL: the least severe level logged (default INFO)."""
    level = (values.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {level!r})")
    return level


def _max_request_bytes(values: Mapping[str, str | None]) -> int:
    """MAX_REQUEST_BYTES: the largest request body the app reads (default 1 MiB)."""
    given = (values.get("MAX_REQUEST_BYTES") or "").strip()
    if not given:
        return DEFAULT_MAX_REQUEST_BYTES
    if not (given.isascii() and given.isdigit()) or int(given) < MIN_REQUEST_BYTES:
        raise SettingsError(
            f"MAX_REQUEST_BYTES must be a whole number of bytes, at least {MIN_REQUEST_BYTES} "
            f"(got {given[:40]!r}): the largest request body the app reads, e.g. "
            f"{DEFAULT_MAX_REQUEST_BYTES} (1 MiB, the default)"
        )
    return int(given)


def origin_problem(url: str) -> str | None:
    """Why `url` is not an `http(s)://host[:port]` origin fit for OIDC, or None when it is."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must start with https:// (or http:// for localhost) and name a host"
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password"
    if parts.path or parts.query or parts.fragment or url.endswith(("?", "#")):
        return "must be only scheme, host and port (no path, query or fragment)"
    if port == 0:
        return "has an invalid port"
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        return "must use https:// (plain http is only for localhost)"
    return None

"""The signed session cookie, byte for byte in the Pallets frameworks' format: itsdangerous's
URL-safe timed signature (SECRET_KEY, salt `cookie-session`, HMAC-SHA1 key derivation) over
compact JSON with their tags for what JSON lacks (tuples, bytes, markup, UUIDs, dates).
A project generated again with another framework therefore reads its visitors' cookies
(and, with a server-side store, their signed-out sessions) as they are."""

from __future__ import annotations

import hashlib
import json
from base64 import b64decode, b64encode
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from uuid import UUID

from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from starlette.requests import cookie_parser
from starlette.types import Scope

SALT = "cookie-session"


def _is_markup(value: Any) -> bool:
    return callable(getattr(value, "__html__", None))


def _http_date(value: datetime) -> str:
    return format_datetime(value, usegmt=True)


#: The tags (Pallets' `json.tag`), in the order they are tried: a one-key object
#: `{" t": [...]}` is a tuple, and so on; an object whose one key looks like a tag is escaped.
_TAGS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any], Callable[[Any], Any]]] = {
    " t": (lambda v: isinstance(v, tuple), lambda v: [tag(item) for item in v], tuple),
    " b": (
        lambda v: isinstance(v, bytes),
        lambda v: b64encode(v).decode("ascii"),
        b64decode,
    ),
    " m": (_is_markup, lambda v: str(v.__html__()), Markup),
    " u": (lambda v: isinstance(v, UUID), lambda v: v.hex, UUID),
    " d": (lambda v: isinstance(v, datetime), _http_date, parsedate_to_datetime),
}


def tag(value: Any) -> Any:
    """`value` as Pallets' TaggedJSONSerializer writes it, before `json.dumps`."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in {*_TAGS, " di"}:
            key = next(iter(value))
            escaped = {f"{key}__": tag(value[key])}
            return {" di": escaped}
        return {key: tag(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tag(item) for item in value]
    for key, (applies, to_json, _) in _TAGS.items():
        if applies(value):
            return {key: to_json(value)}
    return value


def untag(value: dict[str, Any]) -> Any:
    """`json.loads`'s object hook: a tagged object back to its Python value."""
    if len(value) != 1:
        return value
    key = next(iter(value))
    if key == " di":
        inner = value[key]
        escaped = next(iter(inner))
        return {escaped[:-2]: inner[escaped]}
    if key in _TAGS:
        return _TAGS[key][2](value[key])
    return value


class TaggedJson:
    """What itsdangerous calls to turn the session into text and back."""

    @staticmethod
    def dumps(value: Any) -> str:
        return json.dumps(tag(value), separators=(",", ":"))

    @staticmethod
    def loads(value: str | bytes) -> Any:
        return json.loads(value, object_hook=untag)


def fingerprint(data: dict[str, Any]) -> str:
    """A text that changes whenever `data` does, nested values included (to tell whether a
    session must be written back): plain JSON, with `repr` for what JSON cannot hold. Not the
    cookie's format (a tuple and a list look alike here), only a cheap comparison."""
    return json.dumps(data, separators=(",", ":"), default=repr)


def cookie_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_key,
        salt=SALT,
        serializer=TaggedJson,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


def open_signed_cookie(
    serializer: URLSafeTimedSerializer, value: str, max_age: int
) -> dict[str, Any] | None:
    """The data of a signed session cookie, or None: forged, signed with another key, older
    than `max_age` seconds, or not a session."""
    if not value:
        return None
    try:
        data = serializer.loads(value, max_age=max_age)
    except (BadSignature, ValueError):
        return None
    return data if isinstance(data, dict) else None


def request_cookie(scope: Scope, name: str) -> str:
    """The value of cookie `name` the request sent ("" when none)."""
    for header, value in scope["headers"]:
        if header == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found:
                return found
    return ""

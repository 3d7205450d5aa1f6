"""The session cookie's serializer: the framework's own format, each cookie value checked in
full once, then only its age; tampering, expiry and a new SECRET_KEY are caught as before."""

from __future__ import annotations

import time
from typing import Any

import pytest
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from {{ cookiecutter.package_name }}.sessions.signing import RememberingSerializer

from .page_client import PageClient


def serializer(client: PageClient) -> RememberingSerializer:
    interface: Any = client.app.session_interface  # Flask's or Quart's cookie sessions
    made = interface.get_signing_serializer(client.app)
    assert isinstance(made, RememberingSerializer)
    return made


def test_it_is_made_once_per_key(client: PageClient) -> None:
    first = serializer(client)
    assert serializer(client) is first
    client.app.secret_key = "another-secret-key-" + "y" * 32  # the operator rotated it
    rotated = serializer(client)
    assert rotated is not first
    with pytest.raises(BadSignature):
        rotated.loads(first.dumps({"a": 1}))  # the old key's cookie, without a fallback
    client.app.config["SECRET_KEY_FALLBACKS"] = ["test-secret-key-" + "x" * 32]
    assert serializer(client).loads(first.dumps({"a": 1})) == {"a": 1}


def test_a_cookie_is_checked_once_and_copied_each_time(
    client: PageClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = serializer(client)
    cookie = made.dumps({"tokens": {"id": "abc"}, "n": 1})
    checks: list[str] = []
    full_check = URLSafeTimedSerializer.loads

    def counted(self: object, *args: object, **kwargs: object) -> object:
        checks.append("full")
        return full_check(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", counted)
    first = made.loads(cookie, max_age=60)
    first["tokens"]["id"] = "changed by a request"
    second = made.loads(cookie, max_age=60)
    assert second == {"tokens": {"id": "abc"}, "n": 1}  # each request gets its own copy
    assert checks == ["full"]


def test_tampering_and_expiry_are_caught(
    client: PageClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = serializer(client)
    cookie = made.dumps({"user": "alice"})
    assert made.loads(cookie, max_age=60) == {"user": "alice"}  # now remembered
    tampered = cookie[:-2] + ("A" if cookie[-2] != "A" else "B") + cookie[-1]
    with pytest.raises(BadSignature):
        made.loads(tampered, max_age=60)
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)  # the clock of both checks
    with pytest.raises(SignatureExpired):
        made.loads(cookie, max_age=60)  # remembered, but too old: checked in full, refused


def test_the_format_is_the_frameworks_own(client: PageClient) -> None:
    made = serializer(client)
    plain = type(client.app.session_interface).__mro__[1]()  # the framework's interface
    theirs = plain.get_signing_serializer(client.app)
    assert theirs is not None
    assert made.loads(theirs.dumps({"x": [1, 2]})) == {"x": [1, 2]}
    assert theirs.loads(made.dumps({"x": [1, 2]})) == {"x": [1, 2]}

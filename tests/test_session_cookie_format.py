"""The FastAPI bake signs its session cookie in the format Flask and Quart bakes use for
theirs (itsdangerous over tagged JSON), so a project generated again with another framework
keeps its visitors' sessions: checked here against Flask's and Quart's own serializers, in
both directions, with every kind of value the tags carry."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
import pytest
import quart
from flask.json.tag import TaggedJSONSerializer
from markupsafe import Markup

SECRET_KEY = "a-secret-key-of-the-app-" + "k" * 24
SESSIONS: list[dict[str, Any]] = [
    {},
    {"logto.idToken": "eyJ.x.y", "csrf_token": "ab" * 20, "_flashes": [("message", "Saved")]},
    {
        "bytes": b"\x00\xff",
        "markup": Markup("<b>bold</b>"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "when": datetime(2026, 12, 7, 13, 0, tzinfo=UTC),
        " t": "a key that looks like a tag",
        "escaped": {" t": [1, 2]},
        "nested": [[1, (2, 3)], {"a": None, "b": True}],
        "text": "ไทย é",
    },
]


@pytest.fixture(scope="module")
def signed_cookie(cookies_session: Any) -> ModuleType:
    result = cookies_session.bake(extra_context={"web_framework": "FastAPI"})
    assert result.exit_code == 0, result.exception
    path = Path(result.project_path) / "logto_kit" / "sessions" / "signed_cookie.py"
    spec = importlib.util.spec_from_file_location("baked_signed_cookie", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def framework_serializers() -> dict[str, Any]:
    flask_app = flask.Flask("flask_bake")
    flask_app.secret_key = SECRET_KEY
    quart_app = quart.Quart("quart_bake")
    quart_app.secret_key = SECRET_KEY
    return {
        "Flask": flask_app.session_interface.get_signing_serializer(flask_app),
        "Quart": quart_app.session_interface.get_signing_serializer(quart_app),  # type: ignore[arg-type]
    }


@pytest.mark.parametrize("data", SESSIONS)
def test_the_payload_is_the_same_text(signed_cookie: ModuleType, data: dict[str, Any]) -> None:
    assert signed_cookie.TaggedJson.dumps(data) == TaggedJSONSerializer().dumps(data)


@pytest.mark.parametrize("framework", ["Flask", "Quart"])
@pytest.mark.parametrize("data", SESSIONS)
def test_cookies_open_in_both_directions(
    signed_cookie: ModuleType, framework: str, data: dict[str, Any]
) -> None:
    theirs = framework_serializers()[framework]
    ours = signed_cookie.cookie_serializer(SECRET_KEY)
    assert signed_cookie.open_signed_cookie(ours, theirs.dumps(data), 3600) == data
    assert theirs.loads(ours.dumps(data), max_age=3600) == data


def test_a_cookie_of_another_key_or_too_old_opens_nothing(signed_cookie: ModuleType) -> None:
    theirs = framework_serializers()["Flask"]
    other = signed_cookie.cookie_serializer("another-key-" + "z" * 32)
    cookie = theirs.dumps({"a": 1})
    assert signed_cookie.open_signed_cookie(other, cookie, 3600) is None
    assert signed_cookie.open_signed_cookie(other, "not-a-cookie", 3600) is None
    ours = signed_cookie.cookie_serializer(SECRET_KEY)
    assert signed_cookie.open_signed_cookie(ours, cookie, -1) is None  # older than max_age

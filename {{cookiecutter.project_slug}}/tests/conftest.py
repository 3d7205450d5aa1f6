"""Fixtures: an in-process Logto look-alike, settings pointing at it, the app and a client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from logto_kit.about import PROTECTED_API, SESSION_BACKEND
from logto_kit.admin.management_api import ManagementApi
from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .fake_management_api import FakeManagementApi
from .page_client import PageClient

pytest_plugins = ["tests.session_store"]  # this backend's store: a real server, a file or nothing

APP_BASE_URL = "http://localhost:3000"
API_RESOURCE = "https://api.test.example"  # this app's API, in projects that have one


@pytest.fixture
def logto() -> Iterator[FakeLogto]:
    with FakeLogto(client_id="test-app", client_secret="test-secret") as fake:
        yield fake


@pytest.fixture
def settings(logto: FakeLogto, store_settings: dict[str, Any]) -> Settings:
    return Settings(
        logto_endpoint=logto.endpoint,
        logto_app_id="test-app",
        logto_app_secret="test-secret",
        secret_key="test-secret-key-" + "x" * 32,
        app_base_url=APP_BASE_URL,
        session_backend=SESSION_BACKEND,
        api_resource=API_RESOURCE if PROTECTED_API else None,
        **store_settings,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[PageClient]:
    page_client = PageClient(create_app(settings))
    yield page_client
    page_client.close()


@pytest.fixture
def fake() -> Iterator[FakeManagementApi]:
    """A stateful Logto Management API on loopback (for the `logto` commands)."""
    with FakeManagementApi() as management_api:
        yield management_api


@pytest.fixture
def api(fake: FakeManagementApi) -> ManagementApi:
    return ManagementApi(fake.endpoint, "m2m-app", "m2m-secret")

"""DATABASE_URL is read with the other settings (a relative SQLite path is the project's, a
PostgreSQL URL gets the installed driver); an unreachable database at start is one warning line
naming DATABASE_URL (the app starts anyway, test_store_outage.py), and `/readyz` says so, both
with the password masked; a `sessions` table of another shape stops the start."""

from __future__ import annotations

import dataclasses
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from logto_kit.sessions import SessionStoreError
from logto_kit.sessions.server_side import StoredSession, new_sid, write_back
from logto_kit.sessions.store import SqlStore
from logto_kit.settings import (
    PROJECT_ROOT,
    Settings,
    SettingsError,
    load_settings,
)

from {{ cookiecutter.package_name }} import create_app

from .page_client import PageClient
from .servers import free_port
from .test_settings import GOOD


def load(database_url: str) -> Settings:
    return load_settings({**GOOD, "DATABASE_URL": database_url}, None)


def test_database_url_relative_sqlite_is_in_the_project() -> None:
    relative = load("sqlite:///instance/sessions.sqlite3")
    assert relative.database_url == f"sqlite:///{PROJECT_ROOT / 'instance/sessions.sqlite3'}"
    assert load("sqlite:////var/lib/app/s.db").database_url == "sqlite:////var/lib/app/s.db"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_database_url_postgres_uses_the_installed_driver(scheme: str) -> None:
    settings = load(f"{scheme}://u:p@db:5432/app")
    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/app"


def test_bad_database_url() -> None:
    with pytest.raises(SettingsError, match=r"^DATABASE_URL='not a url' is not a URL"):
        load("not a url")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("app:hunter2secret@db/app", "DATABASE_URL='app:***@db/app' is not a URL"),
        ("postgresql:/app:hunter2secret@db/app", "DATABASE_URL='postgresql:***@db/app' is not"),
    ],
)
def test_a_bad_database_url_is_refused_without_its_password(url: str, shown: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load(url)
    assert str(refused.value).startswith(shown) and "hunter2secret" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:hunter2secret@db:no-port/app",
        "nosuchdb://app:hunter2secret@db/app",
    ],
)
def test_a_database_url_that_cannot_be_used_stops_the_start_without_its_password(
    settings: Settings, url: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        create_app(dataclasses.replace(settings, database_url=url))
    message = str(refused.value)
    assert message.startswith("DATABASE_URL='") and ":***@db" in message
    assert "hunter2secret" not in message and "\n" not in message


def test_a_failed_statement_logs_no_session_data(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLAlchemy's errors quote a statement's parameters: session ids and tokens."""
    store = SqlStore(settings.database_url)
    try:
        store.ensure_ready()
        with store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE sessions RENAME TO sessions_away"))
        try:
            session = StoredSession(sid=new_sid(), new=True)
            session["refresh_token"] = "refresh-token-not-for-logs"
            with caplog.at_level(logging.ERROR), pytest.raises(SessionStoreError):
                write_back(store, session, 60, holds_sign_in=lambda data: True)
        finally:
            with store.engine.begin() as connection:
                connection.execute(text("ALTER TABLE sessions_away RENAME TO sessions"))
    finally:
        store.close()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "session store at " in logged
    assert "refresh-token-not-for-logs" not in logged and session.sid not in logged


def test_unreachable_postgres_is_named_with_password_masked(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"postgresql+psycopg://app:hunter2secret@127.0.0.1:{free_port()}/app"
    with caplog.at_level(logging.WARNING):
        create_app(dataclasses.replace(settings, database_url=url))
    (message,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert message.startswith("cannot reach the database at postgresql+psycopg://app:***@")
    assert "(DATABASE_URL)" in message
    assert "hunter2secret" not in message
    assert "\n" not in message


def test_readyz_names_the_database_with_its_password_masked(settings: Settings) -> None:
    url = f"postgresql+psycopg://app:hunter2secret@127.0.0.1:{free_port()}/app"
    client = PageClient(create_app(dataclasses.replace(settings, database_url=url)))
    try:
        page = client.get("/readyz")
    finally:
        client.close()
    assert page.status == 503
    assert page.text.startswith("not ready: cannot reach the database at postgresql+psycopg://")
    assert "app:***@" in page.text and "(DATABASE_URL)" in page.text
    assert "hunter2secret" not in page.text and page.text.count("\n") == 1


def test_workers_starting_together_all_start(settings: Settings) -> None:
    """gunicorn starts workers at once; each creates the sessions table if missing, and none
    fails for another doing the same (each worker's start-up step: the store made ready)."""
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS sessions"))
    engine.dispose()
    workers, url = 8, settings.database_url
    barrier = threading.Barrier(workers)

    def start_worker(_: int) -> None:
        store = SqlStore(url)  # what open_store makes, before its start-up check
        barrier.wait()
        try:
            store.ensure_ready()  # raises what `create_app` would only log
        finally:
            store.close()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(start_worker, range(workers)))  # re-raises any worker's error
    assert create_app(settings) is not None


def test_a_table_of_another_shape_stops_the_start_with_one_line(settings: Settings) -> None:
    """Another app's `sessions` table (or a layout other than this one) is not written to."""
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS sessions"))
        connection.execute(text("CREATE TABLE sessions (id TEXT PRIMARY KEY, blob TEXT)"))
    try:
        with pytest.raises(SettingsError) as caught:
            create_app(settings)
    finally:
        with engine.begin() as connection:  # the other tests share this database
            connection.execute(text("DROP TABLE sessions"))
        engine.dispose()
    message = str(caught.value)
    assert message.startswith("the table 'sessions' at ")
    assert "(DATABASE_URL) has the columns blob, id, not " in message
    assert "\n" not in message

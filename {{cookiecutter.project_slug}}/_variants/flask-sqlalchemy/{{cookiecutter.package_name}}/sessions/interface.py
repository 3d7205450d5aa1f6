"""Sessions in a SQL database (DATABASE_URL): a SQLite file by default, or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..settings import Settings
from .database import connect_args
from .schema_lock import check_columns, schema_lock
from .server_side import install_flask_session, regenerate_session_id
from .store_check import unreachable

__all__ = ["configure_sessions", "regenerate_session_id"]

CLEANUP_EVERY_N_REQUESTS = 1000  # expired rows are deleted now and then
FLASK_SESSION_TABLE = "sessions"  # Flask-Session's default table and its columns
FLASK_SESSION_COLUMNS = {"id", "session_id", "data", "expiry"}


def configure_sessions(app: Flask, settings: Settings) -> None:
    assert settings.database_url is not None
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": connect_args(url)},
    )
    database = SQLAlchemy(app)
    with app.app_context():
        try:
            with database.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            raise unreachable(
                "the database",
                "DATABASE_URL",
                settings.database_url,
                getattr(error, "orig", None) or error,  # the driver's own error, if any
                "start it or fix DATABASE_URL",
            ) from error
        with schema_lock(database.engine):  # Flask-Session creates the table if missing
            install_flask_session(
                app,
                SESSION_TYPE="sqlalchemy",
                SESSION_SQLALCHEMY=database,
                SESSION_CLEANUP_N_REQUESTS=CLEANUP_EVERY_N_REQUESTS,
            )
        check_columns(database.engine, FLASK_SESSION_TABLE, FLASK_SESSION_COLUMNS)

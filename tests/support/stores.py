"""Session stores for template-level tests: the same real-server fixtures the baked projects
use (loaded from the template folder, so there is one copy), turned into `.env` values."""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from .baked_app import TEMPLATE_ROOT

VARIANTS = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}" / "_variants"
#: The baked tests' server modules: what they share (servers.py), Redis's and PostgreSQL's.
SERVER_FOLDERS = [VARIANTS / name / "tests" for name in ("redis-or-sql", "redis", "sqlalchemy")]
SERVERS_PACKAGE = "baked_servers"

#: (session_backend, store) pairs the E2E runs: sqlalchemy on SQLite and on PostgreSQL.
STORES = [
    ("cookie", "cookie"),
    ("redis", "redis"),
    ("sqlalchemy", "sqlite"),
    ("sqlalchemy", "postgresql"),
    ("filesystem", "filesystem"),
]


def server_module(name: str) -> ModuleType:
    """`name` (redis_server, postgres_server) from the baked tests, in a package whose folders
    are the variants' test folders, so it imports servers.py as the baked `tests` does."""
    if SERVERS_PACKAGE not in sys.modules:
        package = ModuleType(SERVERS_PACKAGE)
        package.__path__ = [str(folder) for folder in SERVER_FOLDERS]
        sys.modules[SERVERS_PACKAGE] = package
    return importlib.import_module(f"{SERVERS_PACKAGE}.{name}")


def paused_store(url: str) -> contextlib.AbstractContextManager[None]:
    """The store server at `url` (one `running_store` started) stopped with SIGSTOP, every
    process of it, until the block ends (the baked tests' servers.py)."""
    manager: contextlib.AbstractContextManager[None] = server_module("servers").paused(url)
    return manager


@contextlib.contextmanager
def running_store(store: str, directory: Path) -> Iterator[dict[str, str]]:
    """Start what `store` needs; yield the `.env` values that point a bake at it (the
    defaults of `.env` already cover cookie, SQLite and filesystem)."""
    if store == "redis":
        with server_module("redis_server").running_redis(directory) as url:
            yield {"REDIS_URL": url}
    elif store == "postgresql":
        with server_module("postgres_server").running_postgres(directory) as url:
            yield {"DATABASE_URL": url}
    else:
        yield {}

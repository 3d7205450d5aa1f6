"""Session stores for template-level tests: the same real-server fixtures the baked projects
use (loaded from the template folder, so there is one copy), turned into `.env` values."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from .baked_app import TEMPLATE_ROOT

SERVERS_PY = (
    TEMPLATE_ROOT
    / "{{cookiecutter.project_slug}}"
    / "_variants"
    / "redis-or-sql"
    / "tests"
    / "servers.py"
)

#: (session_backend, store) pairs the E2E runs: sqlalchemy on SQLite and on PostgreSQL.
STORES = [
    ("cookie", "cookie"),
    ("redis", "redis"),
    ("sqlalchemy", "sqlite"),
    ("sqlalchemy", "postgresql"),
    ("filesystem", "filesystem"),
]


def servers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("baked_servers", SERVERS_PY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def running_store(store: str, directory: Path) -> Iterator[dict[str, str]]:
    """Start what `store` needs; yield the `.env` values that point a bake at it (the
    defaults of `.env` already cover cookie, SQLite and filesystem)."""
    if store == "redis":
        with servers().running_redis(directory) as url:
            yield {"REDIS_URL": url}
    elif store == "postgresql":
        with servers().running_postgres(directory) as url:
            yield {"DATABASE_URL": url}
    else:
        yield {}

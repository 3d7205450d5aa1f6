"""The optional parts a project may have been generated with (a protected API, organizations,
back-channel logout): each is a module per role (`web/<name>.py`, `admin/provisioning_<name>.py`)
that only the projects with that part have. This finds the ones present, so the shared code
names none of them."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

#: Every optional part, in the order they are registered.
OPTIONAL_PARTS = ("api", "organizations", "backchannel_logout")


def present_modules(package: str, prefix: str = "") -> list[ModuleType]:
    """The modules `<package>.<prefix><part>` this project has, in OPTIONAL_PARTS order."""
    names = (f"{package}.{prefix}{part}" for part in OPTIONAL_PARTS)
    return [importlib.import_module(name) for name in names if importlib.util.find_spec(name)]

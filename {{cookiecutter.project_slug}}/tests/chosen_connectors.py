"""This project's connectors in its tests (none when none was chosen): each connector's tests
bring a module `<name>_connector.py` beside this one, with `ENV`, well-formed `.env` values, and
`IN_LOGTO`, the connector as a Logto tenant has it installed (for the fake Management API)."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def _modules() -> list[ModuleType]:
    assert __package__
    package = importlib.import_module(__package__)
    return [
        importlib.import_module(f"{__package__}.{module.name}")
        for module in pkgutil.iter_modules(package.__path__)
        if module.name.endswith("_connector")
    ]


_MODULES = _modules()
#: Well-formed `.env` values of every chosen connector.
CONNECTOR_ENV: dict[str, str] = {name: v for m in _MODULES for name, v in m.ENV.items()}
#: factory id -> (connector type, social target, the config keys its guard requires).
IN_LOGTO: dict[str, tuple[str, str, tuple[str, ...]]] = {
    factory: installed for m in _MODULES for factory, installed in m.IN_LOGTO.items()
}

"""The Logto connectors this project uses: one module each here (the generator keeps the
chosen ones), each with a `CONNECTOR`. Add one by adding a module."""

from __future__ import annotations

import importlib
import pkgutil

from .connector import Connector


def _chosen() -> tuple[Connector, ...]:
    found: list[Connector] = []
    for module in pkgutil.iter_modules(__path__):
        connector = getattr(importlib.import_module(f"{__name__}.{module.name}"), "CONNECTOR", None)
        if isinstance(connector, Connector):
            found.append(connector)
    return tuple(sorted(found, key=lambda connector: connector.order))


#: Every connector this project has, in button order.
CHOSEN: tuple[Connector, ...] = _chosen()

__all__ = ["CHOSEN", "Connector"]

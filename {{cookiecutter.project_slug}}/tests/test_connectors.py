"""The connectors this project has are its modules in `connectors/`, each complete; the
`logto` commands and the pages only ever go through `CHOSEN`."""

from __future__ import annotations

from pathlib import Path

from logto_kit import connectors as connectors_package
from logto_kit.connectors import CHOSEN
from logto_kit.connectors.connector import Connector

from .connector_env import CONNECTOR_ENV


def test_the_chosen_connectors_are_the_modules_present() -> None:
    package = Path(connectors_package.__file__).parent
    modules = {path.stem for path in package.glob("*.py")} - {"__init__", "connector"}
    assert {type(connector).__module__.rsplit(".", 1)[1] for connector in CHOSEN} == modules


def test_each_connector_is_complete_and_distinct() -> None:
    assert [connector.order for connector in CHOSEN] == sorted(c.order for c in CHOSEN)
    for attribute in ("factory_id", "name"):
        values = [getattr(connector, attribute) for connector in CHOSEN]
        assert len(values) == len(set(values)), attribute
    assert len({connector.button.slug for connector in CHOSEN}) == len(CHOSEN)
    for connector in CHOSEN:
        assert isinstance(connector, Connector)
        assert connector.paste_where.startswith("Logto Console > Connectors")
        config = connector.config(CONNECTOR_ENV)
        assert set(connector.secret_keys) <= set(config)

"""The connectors this project has are its modules in `connectors/`, each with its tests'
module `tests/<name>_connector.py`; the `logto` commands and the pages only ever go through
`CHOSEN`. Each connector's own tests (`tests/test_<name>.py`) check it is complete."""

from __future__ import annotations

from pathlib import Path

from logto_kit import connectors as connectors_package
from logto_kit.connectors import CHOSEN


def test_the_chosen_connectors_are_the_modules_present() -> None:
    package = Path(connectors_package.__file__).parent
    modules = {path.stem for path in package.glob("*.py")} - {"__init__", "connector"}
    assert {type(connector).__module__.rsplit(".", 1)[1] for connector in CHOSEN} == modules
    tests = Path(__file__).parent
    assert {path.stem.removesuffix("_connector") for path in tests.glob("*_connector.py")} == (
        modules
    )

"""What `.env` still lacks, worked out in one place for the three that list it: the
development server's setup page, `logto provision` and `logto doctor` name the same values,
each on its own line saying where its value is found.

The app's own settings (settings.py) must all be usable before the app starts. A chosen
connector's credentials are that connector's alone: the app starts without them (its button
then leads nowhere useful), and `logto provision` creates the connector once they are in
`.env`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .connectors import CHOSEN
from .connectors.connector import Connector
from .settings import PROVISION_COMMAND, SettingsError, load_settings

#: The values `logto provision` writes into `.env` itself (the app it creates or finds).
WRITTEN_BY_PROVISION = ("LOGTO_APP_ID", "LOGTO_APP_SECRET")
#: What `logto provision` needs before it can create the app (with APP_BASE_URL, which a
#: new project has): the quickest path from a new project to a working sign-in.
QUICKEST_PATH = ("LOGTO_ENDPOINT", "LOGTO_M2M_APP_ID", "LOGTO_M2M_APP_SECRET")
#: Without these `logto provision` can set up nothing; any other value missing leaves only
#: its own part for later.
PROVISION_NEEDS = (*QUICKEST_PATH, "APP_BASE_URL")
#: Every problem line starts with the setting it is about (settings.py, connector.py).
SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


@dataclass(frozen=True)
class MissingValue:
    """A setting that is unset, a placeholder or malformed."""

    setting: str  # e.g. "LOGTO_APP_ID"
    problem: str  # one line, starting with the setting: what is wrong, where its value is
    waiting: Connector | None = None  # the connector that waits for it; None: the app needs it


def missing_values(
    values: Mapping[str, str], connectors: tuple[Connector, ...] = CHOSEN
) -> list[MissingValue]:
    """Every value `values` (what the app reads: `.env` under the environment) still needs:
    the app's settings first, then each chosen connector's credentials."""
    found: list[MissingValue] = []
    try:
        load_settings(values, dotenv_path=None)
    except SettingsError as error:
        found += [MissingValue(setting_of(problem), problem) for problem in error.problems]
    for connector in connectors:
        for name, problem in connector.missing(values).items():
            found.append(MissingValue(name, problem, connector))
    return found


def setting_of(problem: str) -> str:
    """The setting a problem line is about (its first word)."""
    match = SETTING_NAME.match(problem)
    return match.group(0) if match else ""


def waiting_connectors(missing: list[MissingValue]) -> dict[Connector, list[str]]:
    """Each connector that waits for values, with their names, in `missing`'s order."""
    waiting: dict[Connector, list[str]] = {}
    for value in missing:
        if value.waiting is not None:
            waiting.setdefault(value.waiting, []).append(value.setting)
    return waiting


def names(settings: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    return settings[0] if len(settings) == 1 else f"{', '.join(settings[:-1])} and {settings[-1]}"


def waiting_line(connector: Connector, settings: list[str]) -> str:
    """What a connector left for later waits for (its values' own lines say where they are)."""
    return (
        f"the {connector.name} connector waits for {names(settings)} in .env: "
        f"`{PROVISION_COMMAND}` creates it once they are there"
    )

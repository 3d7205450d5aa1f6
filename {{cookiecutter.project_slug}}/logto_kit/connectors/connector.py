"""What a Logto connector of this project is (one module each next to this one): its button,
the credentials it takes from `.env`, the config Logto stores, and what it needs of the sign-in
experience. The `logto` commands and the pages work through this, never a connector by name.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..auth.sign_in_options import SignInOption
from ..settings import SettingsError, is_placeholder

CheckKind = Literal["ok", "fix", "note"]


@dataclass(frozen=True)
class ProvisionFlag:
    """An option of `logto provision` a connector adds (e.g. `--phone-sign-up`)."""

    option: str
    help: str


@dataclass
class SignInExperienceChanges:
    body: dict[str, Any] = field(default_factory=dict)  # the PATCH: only keys that change
    said: list[str] = field(default_factory=list)  # what each change does
    held_back: list[str] = field(default_factory=list)  # one line per change not made


@dataclass(frozen=True)
class Shape:
    """What an `.env` value must look like, and where to find it (said when it does not)."""

    pattern: re.Pattern[str]
    expected: str
    secret: bool = False  # never echoed back in full
    default: str = ""  # the value when `.env` has none (empty: the value is required)


class Connector(ABC):
    """One connector. Subclasses set the attributes and `config`; the rest is optional."""

    name: str  # as people say it
    factory_id: str  # the id of Logto's connector (its factory), e.g. "google-universal"
    order: int  # place among the buttons and in every listing
    button: SignInOption  # the home page's button: /sign-in/<slug>
    paste_where: str  # where its JSON goes in Logto Console
    secret_keys: tuple[str, ...] = ()  # config keys masked when printed
    connector_id: str | None = None  # the id `provision` gives a new one (None: Logto's)
    flags: tuple[ProvisionFlag, ...] = ()
    shapes: Mapping[str, Shape] = {}  # the `.env` values it takes, each with its shape

    @abstractmethod
    def config(self, values: Mapping[str, str]) -> dict[str, Any]:
        """The config Logto stores, from `.env` values (`checked_values`); SettingsError (one
        line naming every unusable value) if any is unusable."""

    def missing(self, values: Mapping[str, str]) -> dict[str, str]:
        """Each of its `.env` values that is unset, a placeholder or malformed, with one line
        saying so and where its value is found (empty: the connector can be set up)."""
        problems: dict[str, str] = {}
        for name, shape in self.shapes.items():
            try:
                checked(values, name, shape)
            except SettingsError as error:
                problems[name] = str(error)
        return problems

    def checked_values(self, values: Mapping[str, str]) -> dict[str, str]:
        """Its `.env` values (`shapes`), each checked; SettingsError naming every unusable one."""
        problems = self.missing(values)
        if problems:
            raise SettingsError(*problems.values())
        return {name: checked(values, name, shape) for name, shape in self.shapes.items()}

    def conflict(self, existing: list[dict[str, Any]]) -> str | None:
        """Why the tenant's connectors (`existing`) forbid creating this one, or None."""
        return None

    def sign_in_experience(
        self, current: Mapping[str, Any], flags: frozenset[str]
    ) -> SignInExperienceChanges:
        """What the sign-in experience `current` needs for the button to work."""
        return SignInExperienceChanges()

    def notes(self, endpoint: str, connector_id: str) -> list[str]:
        """Facts to tell once the connector `connector_id` exists (e.g. its callback)."""
        return []

    def check_sign_in_experience(
        self, sign_in_exp: Mapping[str, Any], provision: str
    ) -> list[tuple[CheckKind, str]]:
        """`logto doctor`'s lines about the sign-in experience; `provision` is this project's
        command (`logto provision`)."""
        return []


def checked(values: Mapping[str, str], name: str, shape: Shape) -> str:
    """`name`'s value from `.env` (or the shape's default); SettingsError naming it when
    unset, a placeholder or not of its shape."""
    value = (values.get(name) or "").strip() or shape.default
    if not value:
        raise SettingsError(f"{name} is not set: put {shape.expected} in .env")
    if is_placeholder(value):
        raise SettingsError(
            f"{name} is still the placeholder {value!r}: put {shape.expected} in .env"
        )
    if not shape.pattern.fullmatch(value):
        shown = (
            (repr(value[:4] + "…") if len(value) > 4 else "'…'") if shape.secret else repr(value)
        )
        raise SettingsError(f"{name}={shown} is malformed: expected {shape.expected}")
    return value


def config_differs(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Do the keys this project sets differ in `stored` (other keys are the tenant's own)?"""
    return any(stored.get(key) != value for key, value in wanted.items())

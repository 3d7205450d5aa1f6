"""The ways this backend's store can fail in the outage tests, each with the way back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    begin: Callable[[], None]
    end: Callable[[], None]
    keeps_sessions: bool  # whether the records are still there once it ends


@dataclass(frozen=True)
class Outage:
    settings: dict[str, object]  # the app's store settings, pointing through the fault
    faults: dict[str, Fault]  # by name: "hung", "stopped", "unwritable"

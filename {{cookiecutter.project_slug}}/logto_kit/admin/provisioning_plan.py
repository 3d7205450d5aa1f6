"""The vocabulary of `logto provision`: what the tenant should have (`Target`) and the
changes that get it there (`Step`s of a `Plan`), each with the request it makes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..about import PROJECT_NAME, USE_BACKCHANNEL_LOGOUT, USE_ORGANIZATIONS
from ..connectors.connector import Connector
from ..settings import AppUris


class ProvisioningError(Exception):
    """The tenant cannot be set up as asked; the message is one line that says why."""


@dataclass(frozen=True)
class DemoOrganization:
    """An organization to try the organization pages with (`--demo-organization USER`)."""

    member: str  # the user (id, username or email) who gets the admin role in it
    name: str = "Demo organization"


@dataclass(frozen=True)
class Target(AppUris):
    """What the tenant should have for this project."""

    app_base_url: str
    env_file: Path
    connectors: Mapping[Connector, Mapping[str, Any]]  # each chosen connector's config
    project_name: str = PROJECT_NAME
    flags: frozenset[str] = frozenset()  # the connectors' options given (e.g. --phone-sign-up)
    api_resource: str | None = None  # this app's API (projects with one: PROTECTED_API)
    assign_role_to: str | None = None  # a user to give the API's role (--assign-role)
    organizations: bool = USE_ORGANIZATIONS  # the organization role the pages ask for
    demo_organization: DemoOrganization | None = None  # --demo-organization USER
    backchannel_logout: bool = USE_BACKCHANNEL_LOGOUT  # register backchannel_logout_uri


@dataclass(frozen=True)
class Step:
    """One change: `run` makes `method path` with `body` (WRITE is the local `.env`)."""

    summary: str
    method: str
    path: str
    body: Mapping[str, Any] | None
    run: Callable[[], object] = field(repr=False, compare=False)

    @property
    def request(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # facts to tell, not changes

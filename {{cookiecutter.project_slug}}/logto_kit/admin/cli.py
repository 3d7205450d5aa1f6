"""`logto ...` (`logto provision`, `logto doctor`, `logto connectors`): set up and check the
Logto side of this app.

The group is the project's `logto` console script (`main`, pyproject.toml's
`[project.scripts]`; `python -m logto_kit.admin` without installing the project), also
registered as a command group of the web framework's CLI. It never builds the web app, so it
works while `.env` still holds placeholders, and reads the project's `.env` itself wherever it
is run from. Every failure is one line on stderr starting with `error: ` and a non-zero exit
code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from ..about import PROTECTED_API, USE_ORGANIZATIONS
from ..connectors import CHOSEN
from ..connectors.connector import Connector
from ..settings import (
    PROJECT_ROOT,
    PROVISION_COMMAND,
    SettingsError,
    origin_problem,
    read_env,
    required,
    required_origin,
)
from ..setup_status import (
    PROVISION_NEEDS,
    WRITTEN_BY_PROVISION,
    MissingValue,
    missing_values,
    names,
    waiting_connectors,
    waiting_line,
)
from .doctor import run_doctor
from .management_api import ManagementApiError, api_from_env
from .provisioning import DemoOrganization, Plan, ProvisioningError, Target, apply, plan


class CliError(click.ClickException):
    """One line on stderr, `error: ...`, exit code 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@contextmanager
def one_line_errors() -> Iterator[None]:
    try:
        yield
    except (SettingsError, ManagementApiError, ProvisioningError, ValueError) as error:
        raise CliError(str(error)) from None
    except OSError as error:
        raise CliError(f"{type(error).__name__}: {error}") from None
    except (KeyError, TypeError, AttributeError) as error:
        raise CliError(f"unexpected answer from Logto ({type(error).__name__}: {error})") from None


env_file_option = click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=PROJECT_ROOT / ".env",
    envvar="LOGTO_ENV_FILE",
    show_default=True,
    help=(
        "The .env to read (and to write LOGTO_APP_ID/SECRET into). The project's .env is "
        "read under the environment's values, as the app does; a file given here (or in "
        "LOGTO_ENV_FILE) is read alone."
    ),
)


def settings_environ() -> Mapping[str, str] | None:
    """None (the real environment wins) for the default .env; {} for a chosen file, read
    alone: a framework's CLI has already loaded the project's .env into the environment."""
    source = click.get_current_context().get_parameter_source("env_file")
    return None if source in (None, click.core.ParameterSource.DEFAULT) else {}


logto = click.Group(
    "logto",
    help="Set up this app's Logto tenant (app, connectors, sign-in experience) and check it.",
)


def main() -> None:
    """The `logto` console script: the group on its own, without a framework's CLI."""
    logto(prog_name="logto")


def connector_configs(values: Mapping[str, str]) -> dict[Connector, dict[str, Any]]:
    """Each chosen connector's config from `.env` (one SettingsError naming every unusable
    value)."""
    problems = [problem for connector in CHOSEN for problem in connector.missing(values).values()]
    if problems:
        raise SettingsError(*problems)
    return {connector: connector.config(values) for connector in CHOSEN}


@logto.command()
@click.option("--show-secrets", is_flag=True, help="Print secrets instead of masking them.")
@env_file_option
def connectors(show_secrets: bool, env_file: Path) -> None:
    """Print the chosen connectors' configs as JSON to paste into Logto Console."""
    environ = settings_environ()
    with one_line_errors():
        values = read_env(env_file, environ)
        configs = connector_configs(values)
    if not configs:
        click.echo("This project has no connector: none was chosen when it was generated.")
        return
    endpoint = (values.get("LOGTO_ENDPOINT") or "").strip().removesuffix("/")
    if not endpoint or origin_problem(endpoint):
        endpoint = "<LOGTO_ENDPOINT>"
    for connector, config in configs.items():
        click.echo(f"# {connector.factory_id}: paste into {connector.paste_where}")
        if connector.connector_id:
            for note in connector.notes(endpoint, connector.connector_id):
                click.echo(
                    f"# {note} (for the connector `logto provision` makes; one added in "
                    "Console shows its own Callback URI)"
                )
        shown = config if show_secrets else masked(config, connector.secret_keys)
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))


def masked(config: Mapping[str, Any], secret_keys: tuple[str, ...]) -> dict[str, Any]:
    return {
        key: f"{str(value)[:2]}…(masked)" if key in secret_keys and value else value
        for key, value in config.items()
    }


def with_connector_flags(command: Callable[..., None]) -> Callable[..., None]:
    """`provision`'s options that the chosen connectors add (each connector's `flags`)."""
    for connector in CHOSEN:
        for flag in connector.flags:
            command = click.option(flag.option, is_flag=True, help=flag.help)(command)
    return command


def with_api_options(command: Callable[..., None]) -> Callable[..., None]:
    """`provision`'s option in a project with an API: give its role to a user."""
    if not PROTECTED_API:
        return command
    return click.option(
        "--assign-role",
        "assign_role_to",
        metavar="USER",
        help="Also give the API's role to this user (their id, username or email).",
    )(command)


def with_organization_options(command: Callable[..., None]) -> Callable[..., None]:
    """`provision`'s options in a project with organizations: an organization to try the
    organization pages with."""
    if not USE_ORGANIZATIONS:
        return command
    command = click.option(
        "--demo-organization-name",
        default=DemoOrganization.name,
        show_default=True,
        help="The name of the --demo-organization.",
    )(command)
    return click.option(
        "--demo-organization",
        "demo_organization_for",
        metavar="USER",
        help=(
            "Also make an organization to try the organization pages with, and this user "
            "(their id, username or email) its member with the organization role the pages "
            "ask for."
        ),
    )(command)


@logto.command()
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@with_connector_flags
@with_api_options
@with_organization_options
@env_file_option
def provision(
    dry_run: bool,
    env_file: Path,
    assign_role_to: str | None = None,
    demo_organization_for: str | None = None,
    demo_organization_name: str = DemoOrganization.name,
    **flags: bool,
) -> None:
    """Create or fix the app, its API (resource, permissions, role), the chosen connectors
    and the sign-in experience: everything `.env` allows, in one run.

    Needs LOGTO_ENDPOINT, APP_BASE_URL and a Machine-to-machine app with the Logto
    Management API role (LOGTO_M2M_APP_ID, LOGTO_M2M_APP_SECRET); writes LOGTO_APP_ID and
    LOGTO_APP_SECRET into .env. Every value still missing is a `fix:` line; a connector
    whose credentials are missing is left for later (a `later:` line).
    """
    environ = settings_environ()
    given = frozenset(
        flag.option
        for connector in CHOSEN
        for flag in connector.flags
        if flags.get(flag.option.lstrip("-").replace("-", "_"))
    )
    with one_line_errors():
        values = read_env(env_file, environ)
        left = values_left(values)
        needed = [value for value in left if value.setting in PROVISION_NEEDS]
        if needed:
            for value in left:
                click.echo(f"fix: {value.problem}")
            settings = names([value.setting for value in needed])
            raise CliError(
                f"provision needs {settings} first: the fix: lines above say where each is found"
            )
        waiting = waiting_connectors(left)
        api = api_from_env(values)
        target = Target(
            required_origin(values, "APP_BASE_URL"),
            env_file,
            {c: c.config(values) for c in CHOSEN if c not in waiting},
            flags=given,
            api_resource=api_resource(values, left),
            assign_role_to=assign_role_to,
            demo_organization=(
                DemoOrganization(demo_organization_for, demo_organization_name)
                if demo_organization_for
                else None
            ),
        )
        the_plan = plan(api, target)
        if dry_run and the_plan.steps:
            click.echo(f"would make {len(the_plan.steps)} change(s):")
            for step in the_plan.steps:
                click.echo(f"- {step.summary} [{step.request}]")
        elif the_plan.steps:
            apply(the_plan.steps, click.echo)
    report_what_is_left(the_plan, target, left, dry_run=dry_run)


def report_what_is_left(
    the_plan: Plan, target: Target, left: list[MissingValue], *, dry_run: bool
) -> None:
    """After the changes: the plan's notes, each part left for later and the values it waits
    for (one `fix:` line each), then what was done."""
    for note in the_plan.notes:
        click.echo(note)
    for connector, settings in waiting_connectors(left).items():
        click.echo(f"later: {waiting_line(connector, settings)}")
    if PROTECTED_API and target.api_resource is None:
        click.echo(
            "later: the API (its resource, permissions and role) waits for "
            f"LOGTO_API_RESOURCE in .env: `{PROVISION_COMMAND}` creates it once it is there"
        )
    for value in left:
        click.echo(f"fix: {value.problem}")
    count = len(the_plan.steps)
    if dry_run and count:
        click.echo("dry run: nothing was changed")
    elif count:
        click.echo(f"done: {count} change(s)")
    elif left:
        click.echo("no changes: everything .env allows is set up")
    else:
        click.echo("no changes: the tenant and .env are already set up")


def values_left(values: Mapping[str, str]) -> list[MissingValue]:
    """What `.env` lacks that `provision` does not write itself (setup_status.py), and the
    M2M app it needs, each value once."""
    missing = [v for v in missing_values(values) if v.setting not in WRITTEN_BY_PROVISION]
    m2m = []
    for name in ("LOGTO_M2M_APP_ID", "LOGTO_M2M_APP_SECRET"):
        try:
            required(values, name)
        except SettingsError as error:
            m2m.append(MissingValue(name, str(error)))
    app = [value for value in missing if value.waiting is None]
    return [*app, *m2m, *(value for value in missing if value.waiting is not None)]


def api_resource(values: Mapping[str, str], left: list[MissingValue]) -> str | None:
    """LOGTO_API_RESOURCE in a project with an API, unless it is among the values `left`."""
    if not PROTECTED_API or any(value.setting == "LOGTO_API_RESOURCE" for value in left):
        return None
    return values["LOGTO_API_RESOURCE"].strip()


@logto.command()
@env_file_option
def doctor(env_file: Path) -> None:
    """Check .env, Logto's discovery and (with an M2M app) the app's registration."""
    with one_line_errors():
        healthy = run_doctor(env_file, click.echo, environ=settings_environ())
    if not healthy:
        click.get_current_context().exit(1)

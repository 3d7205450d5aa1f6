"""`logto ...`, a command group of the web framework's CLI (the README's `... logto provision`):
set up and check the Logto side of this app.

The group is the framework's `commands` entry point (pyproject.toml) and never builds the web
app, so it works while `.env` still holds placeholders. Every failure is one line on
stderr starting with `error: ` and a non-zero exit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from ..about import PROTECTED_API
from ..connectors import CHOSEN
from ..connectors.connector import Connector
from ..settings import (
    PROJECT_ROOT,
    SettingsError,
    origin_problem,
    read_env,
    required,
    required_origin,
)
from .doctor import run_doctor
from .management_api import ManagementApiError, api_from_env
from .provisioning import ProvisioningError, Target, apply, plan


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
    """None (the real environment wins) for the default .env; {} for a chosen file, since
    the framework's CLI has already loaded the project's .env into the environment."""
    source = click.get_current_context().get_parameter_source("env_file")
    return None if source in (None, click.core.ParameterSource.DEFAULT) else {}


logto = click.Group(
    "logto",
    help="Set up this app's Logto tenant (app, connectors, sign-in experience) and check it.",
)


def connector_configs(values: Mapping[str, str]) -> dict[Connector, dict[str, Any]]:
    """Each chosen connector's config from `.env` (SettingsError on the first unusable one)."""
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


@logto.command()
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@with_connector_flags
@with_api_options
@env_file_option
def provision(
    dry_run: bool, env_file: Path, assign_role_to: str | None = None, **flags: bool
) -> None:
    """Create or fix the app, its API (resource, permissions, role), the chosen connectors
    and the sign-in experience.

    Needs LOGTO_ENDPOINT, APP_BASE_URL and a Machine-to-machine app with the Logto
    Management API role (LOGTO_M2M_APP_ID, LOGTO_M2M_APP_SECRET); writes LOGTO_APP_ID and
    LOGTO_APP_SECRET into .env.
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
        api = api_from_env(values)
        base_url = required_origin(values, "APP_BASE_URL")
        api_resource = required(values, "LOGTO_API_RESOURCE") if PROTECTED_API else None
        target = Target(
            base_url,
            env_file,
            connector_configs(values),
            flags=given,
            api_resource=api_resource,
            assign_role_to=assign_role_to,
        )
        the_plan = plan(api, target)
        steps = the_plan.steps
        if not steps:
            click.echo("no changes: the tenant and .env are already set up")
        elif dry_run:
            click.echo(f"would make {len(steps)} change(s):")
            for step in steps:
                click.echo(f"- {step.summary} [{step.request}]")
        else:
            apply(steps, click.echo)
        for note in the_plan.notes:
            click.echo(note)
        if steps:
            done = "dry run: nothing was changed" if dry_run else f"done: {len(steps)} change(s)"
            click.echo(done)


@logto.command()
@env_file_option
def doctor(env_file: Path) -> None:
    """Check .env, Logto's discovery and (with an M2M app) the app's registration."""
    with one_line_errors():
        healthy = run_doctor(env_file, click.echo, environ=settings_environ())
    if not healthy:
        click.get_current_context().exit(1)

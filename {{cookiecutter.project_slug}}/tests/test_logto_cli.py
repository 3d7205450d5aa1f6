"""`logto provision`, `logto connectors` and `logto doctor` against a fake Management API.

The commands use the connectors chosen when the project was generated, so the connector
assertions follow the bake's connectors (each connector's own tests cover it in detail).
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dotenv import dotenv_values

from logto_kit.about import PROJECT_NAME, PROTECTED_API, USE_ORGANIZATIONS
from logto_kit.admin.cli import logto
from logto_kit.connectors import CHOSEN
from logto_kit.settings import PROJECT_ROOT
from logto_kit.setup_status import names

from .chosen_connectors import CONNECTOR_ENV
from .fake_management_api import FakeManagementApi
from .fake_tenant import default_sign_in_experience
from .installed_project import declared_entry_points, installed_copy
from .session_store import store_env

BASE_URL = "http://localhost:3000"
#: What the app and the commands read: the variables of .env.example, LOGTO_ENV_FILE.
OUR_PREFIXES = ("LOGTO_", *dotenv_values(PROJECT_ROOT / ".env.example"))
SECRET_KEY = "Vq3-k9ZpX2r_Lm8Tn4Wb7Yc1Hd6Jf0Gs5Ae"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come only from the test's `.env`."""
    for name in list(os.environ):
        if name.startswith(OUR_PREFIXES):
            monkeypatch.delenv(name)


#: The session store `write_env` puts in `.env`: one that answers, in tests that take
#: `reachable_store` (`doctor` checks it), else well-formed values (`store_env`).
STORE_ENV: dict[str, str] | None = None


@pytest.fixture(autouse=True)
def reachable_store(reachable_store_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "STORE_ENV", reachable_store_env)


@pytest.fixture
def fake() -> Iterator[FakeManagementApi]:
    with FakeManagementApi() as api:
        yield api


def write_env(path: Path, endpoint: str, **changes: str) -> Path:
    values = {
        "LOGTO_ENDPOINT": endpoint,
        "LOGTO_APP_ID": "your-app-id",
        "LOGTO_APP_SECRET": "your-app-secret",
        "APP_BASE_URL": BASE_URL,
        "SECRET_KEY": SECRET_KEY,
        **(store_env(path.parent) if STORE_ENV is None else STORE_ENV),
        "LOGTO_API_RESOURCE": "https://api.test.example",
        "LOGTO_M2M_APP_ID": "m2m-app",
        "LOGTO_M2M_APP_SECRET": "m2m-secret",
        **CONNECTOR_ENV,
        **changes,
    }
    lines = ["# kept as is", *(f"{key}={value}" for key, value in values.items() if value)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def env_file(tmp_path: Path, fake: FakeManagementApi) -> Path:
    return write_env(tmp_path / ".env", fake.endpoint)


def run(env_file: Path, *args: str) -> Result:
    runner = CliRunner()
    if "mix_stderr" in inspect.signature(CliRunner.__init__).parameters:  # click < 8.2
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg,unused-ignore]
    return runner.invoke(logto, [*args, "--env-file", str(env_file)])


def env_values(env_file: Path) -> dict[str, str]:
    lines = env_file.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def fixes(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("fix: ")]


def placeholders() -> dict[str, str]:
    """Each chosen connector's credentials as `.env.example` has them: placeholders (values
    with a default left out)."""
    example = dotenv_values(PROJECT_ROOT / ".env.example")
    return {
        name: str(example[name])
        for connector in CHOSEN
        for name, shape in connector.shapes.items()
        if not shape.default
    }


def assert_one_error_line(result: Result, *fragments: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_provision_sets_up_the_tenant_and_env(fake: FakeManagementApi, env_file: Path) -> None:
    result = run(env_file, "provision")
    assert result.exit_code == 0, result.output
    (app,) = fake.applications.values()
    assert (app["name"], app["type"]) == (PROJECT_NAME, "Traditional")
    assert app["oidcClientMetadata"]["redirectUris"] == [f"{BASE_URL}/callback"]
    assert app["oidcClientMetadata"]["postLogoutRedirectUris"] == [f"{BASE_URL}/"]
    env = env_values(env_file)
    assert env["LOGTO_APP_ID"] == app["id"]
    assert env["LOGTO_APP_SECRET"] == fake.secrets[app["id"]][0]["value"]
    kept = {"SECRET_KEY": SECRET_KEY, **CONNECTOR_ENV}
    assert {name: env[name] for name in kept} == kept
    assert env_file.read_text(encoding="utf-8").startswith("# kept as is\n")
    factories = {c["connectorId"]: c for c in fake.connectors}
    assert set(factories) == {connector.factory_id for connector in CHOSEN}
    for connector in CHOSEN:  # each connector's own tests check what it asks of the tenant
        made = factories[connector.factory_id]["id"]
        assert made == (connector.connector_id or made)
        assert all(note in result.output for note in connector.notes(fake.endpoint, made))
    sign_in_exp_changes = [r for r in fake.changes() if "sign-in-exp" in r.path]
    assert bool(sign_in_exp_changes) is bool(CHOSEN)  # no connector: the tenant's, untouched


def test_second_provision_changes_nothing(fake: FakeManagementApi, env_file: Path) -> None:
    assert run(env_file, "provision").exit_code == 0
    made, before = len(fake.changes()), env_file.stat().st_mtime_ns
    result = run(env_file, "provision")
    assert result.exit_code == 0, result.output
    assert "no changes" in result.output
    assert len(fake.changes()) == made
    assert env_file.stat().st_mtime_ns == before


def test_dry_run_changes_nothing(fake: FakeManagementApi, env_file: Path) -> None:
    before = env_file.read_text(encoding="utf-8")
    result = run(env_file, "provision", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "[POST /api/applications]" in result.output
    assert "nothing was changed" in result.output
    assert fake.changes() == [] and fake.applications == {}
    assert env_file.read_text(encoding="utf-8") == before


def test_existing_app_keeps_its_uris(fake: FakeManagementApi, env_file: Path) -> None:
    app = fake.add_application(PROJECT_NAME, ["https://prod.example/callback"], [])
    assert run(env_file, "provision").exit_code == 0
    metadata = fake.applications[app["id"]]["oidcClientMetadata"]
    assert metadata["redirectUris"] == ["https://prod.example/callback", f"{BASE_URL}/callback"]
    assert metadata["postLogoutRedirectUris"] == [f"{BASE_URL}/"]
    assert not [r for r in fake.changes() if r.path == "/api/applications"]  # no new app
    assert env_values(env_file)["LOGTO_APP_ID"] == app["id"]


def test_existing_social_targets_and_methods_are_kept(
    fake: FakeManagementApi, env_file: Path
) -> None:
    fake.add_connector("google-universal", {"clientId": "g", "clientSecret": "g"})
    fake.sign_in_experience["socialSignInConnectorTargets"] = ["google"]
    assert run(env_file, "provision").exit_code == 0
    assert fake.sign_in_experience["socialSignInConnectorTargets"][0] == "google"
    methods = fake.sign_in_experience["signIn"]["methods"]
    assert methods[0]["identifier"] == "username"


def test_refused_m2m_secret_is_one_line(fake: FakeManagementApi, tmp_path: Path) -> None:
    env_file = write_env(tmp_path / ".env", fake.endpoint, LOGTO_M2M_APP_SECRET="wrong")
    assert_one_error_line(run(env_file, "provision"), "LOGTO_M2M_APP_ID/LOGTO_M2M_APP_SECRET")


def test_logto_validation_error_is_one_line(fake: FakeManagementApi, env_file: Path) -> None:
    fake.rejections["POST /api/applications"] = (
        422,
        {"code": "application.invalid_type", "message": "Invalid application type."},
    )
    result = run(env_file, "provision")
    assert_one_error_line(result, "Invalid application type.", "application.invalid_type")


def test_missing_role_and_unreachable_logto(fake: FakeManagementApi, tmp_path: Path) -> None:
    fake.forbidden = True
    env_file = write_env(tmp_path / ".env", fake.endpoint)
    assert_one_error_line(run(env_file, "provision"), "Management API access role")
    write_env(env_file, "http://127.0.0.1:9")  # discard port: nothing listens
    assert_one_error_line(run(env_file, "provision"), "cannot reach Logto at")


def test_provision_needs_an_m2m_app(fake: FakeManagementApi, tmp_path: Path) -> None:
    env_file = write_env(tmp_path / ".env", fake.endpoint, LOGTO_M2M_APP_ID="")
    result = run(env_file, "provision")
    assert_one_error_line(result, "provision needs LOGTO_M2M_APP_ID first")
    assert fixes(result) == [
        "fix: LOGTO_M2M_APP_ID is not set: in Logto Console > Applications, create a "
        '"Machine-to-machine" app with the "Logto Management API access" role, and copy its '
        "App ID, into .env"
    ]
    assert not fake.requests


def test_provision_lists_every_value_it_needs_at_once(
    fake: FakeManagementApi, tmp_path: Path
) -> None:
    """The `.env` a bake starts with (placeholders, no M2M app, no connector credentials):
    one run names every value, each on its own `fix:` line, and stops before Logto, naming
    the ones it cannot start without. LOGTO_APP_ID/SECRET are not asked for: it writes them."""
    unset = dict.fromkeys(["LOGTO_M2M_APP_ID", "LOGTO_M2M_APP_SECRET", "SECRET_KEY"], "")
    env_file = write_env(
        tmp_path / ".env", "https://your-tenant.logto.app", **placeholders(), **unset
    )
    result = run(env_file, "provision")
    assert_one_error_line(
        result,
        "provision needs LOGTO_ENDPOINT, LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET first",
    )
    named = [line.removeprefix("fix: ").split(" ", 1)[0] for line in fixes(result)]
    connector_values = [name for connector in CHOSEN for name in connector.shapes]
    assert named == [
        "LOGTO_ENDPOINT",
        "SECRET_KEY",
        "LOGTO_M2M_APP_ID",
        "LOGTO_M2M_APP_SECRET",
        *(name for name in connector_values if name in placeholders()),
    ], result.output
    (endpoint,) = [line for line in fixes(result) if "LOGTO_ENDPOINT" in line]
    assert "https://<tenant-id>.logto.app" in endpoint and "http://localhost:3001" in endpoint
    assert "your app" not in endpoint  # there is no app before provision makes it
    assert not fake.requests and env_values(env_file)["LOGTO_APP_ID"] == "your-app-id"


def test_provision_sets_up_the_app_while_values_are_missing(
    fake: FakeManagementApi, tmp_path: Path
) -> None:
    """With the endpoint and the M2M app, one run makes everything else it can and exits 0:
    each connector without credentials is left for later (one line), the sign-in experience
    is left as it is for it, and every value still missing is a `fix:` line."""
    env_file = write_env(tmp_path / ".env", fake.endpoint, **placeholders(), SECRET_KEY="")
    result = run(env_file, "provision")
    assert result.exit_code == 0, result.output
    (app,) = fake.applications.values()
    assert env_values(env_file)["LOGTO_APP_ID"] == app["id"]
    assert fake.connectors == [] and fake.sign_in_experience == default_sign_in_experience()
    waited = {connector: list(connector.missing(placeholders())) for connector in CHOSEN}
    later = [line for line in result.output.splitlines() if line.startswith("later: ")]
    assert later == [
        f"later: the {connector.name} connector waits for {names(settings)} in .env: "
        "`logto provision` creates it once they are there"
        for connector, settings in waited.items()
    ]
    named = [line.removeprefix("fix: ").split(" ", 1)[0] for line in fixes(result)]
    assert named == ["SECRET_KEY", *(name for settings in waited.values() for name in settings)]
    assert result.output.splitlines()[-1].startswith("done: ")
    again = run(env_file, "provision")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-1] == "no changes: everything .env allows is set up"
    assert fixes(again) == fixes(result)


def test_connectors_masks_secrets_unless_asked(env_file: Path) -> None:
    masked, shown = run(env_file, "connectors"), run(env_file, "connectors", "--show-secrets")
    assert masked.exit_code == shown.exit_code == 0
    if not CHOSEN:
        none = "This project has no connector: none was chosen when it was generated.\n"
        assert masked.output == shown.output == none
        return
    configs = [connector.config(CONNECTOR_ENV) for connector in CHOSEN]
    assert [json.loads(block) for block in _json_blocks(shown.output)] == configs
    for connector, config in zip(CHOSEN, configs, strict=True):
        assert f"# {connector.factory_id}: paste into {connector.paste_where}" in masked.output
        for key in connector.secret_keys:
            assert config[key] not in masked.output
            assert f'"{key}": "{config[key][:2]}…(masked)"' in masked.output
        if connector.connector_id:
            endpoint = env_values(env_file)["LOGTO_ENDPOINT"]
            for note in connector.notes(endpoint, connector.connector_id):
                assert note in masked.output


def _json_blocks(output: str) -> list[str]:
    """The JSON objects printed between the `# ...` header lines."""
    blocks: list[list[str]] = []
    for line in output.splitlines():
        if line == "{":
            blocks.append([])
        if blocks and not line.startswith("# "):
            blocks[-1].append(line)
    return ["\n".join(block) for block in blocks]


def test_doctor_reports_a_wrong_redirect_uri_then_passes(
    fake: FakeManagementApi, tmp_path: Path
) -> None:
    app = fake.add_application(PROJECT_NAME, ["http://localhost:5000/callback"], [])
    secret = fake.secrets[app["id"]][0]["value"]
    env_file = write_env(
        tmp_path / ".env", fake.endpoint, LOGTO_APP_ID=app["id"], LOGTO_APP_SECRET=secret
    )
    result = run(env_file, "doctor")
    assert result.exit_code == 1
    assert f"fix: the app {PROJECT_NAME!r} lacks the Redirect URI {BASE_URL}/callback" in (
        result.output
    )
    assert run(env_file, "provision").exit_code == 0
    result = run(env_file, "doctor")
    assert result.exit_code == 0, result.output
    assert "fix:" not in result.output
    assert f"ok: Logto answers at {fake.endpoint}" in result.output


def test_doctor_lists_every_tenant_problem_then_passes(
    fake: FakeManagementApi, env_file: Path
) -> None:
    """Before provisioning: one `fix:` line per problem, in one run; after it: all ok. A
    connector of the tenant's own is left alone."""
    fake.add_connector("google-universal", {"clientId": "g", "clientSecret": "g"})
    result = run(env_file, "doctor")
    assert result.exit_code == 1
    fixes = [line for line in result.output.splitlines() if line.startswith("fix: ")]
    api_fixes = [fix for fix in fixes if fix.startswith("fix: the tenant needs this: ")]
    # The API's resource and role, the organization role: their own tests.
    assert bool(api_fixes) is (PROTECTED_API or USE_ORGANIZATIONS), result.output
    fixes = [fix for fix in fixes if fix not in api_fixes]
    expected = [
        "LOGTO_APP_ID is still the placeholder",
        "LOGTO_APP_SECRET is still the placeholder",
    ]
    expected += ["the app's registration is unchecked"]
    expected += [f"no {connector.name} connector" for connector in CHOSEN]  # then the buttons
    expected += [  # each connector's own tests check what these say
        message
        for connector in CHOSEN
        for kind, message in connector.check_sign_in_experience(
            fake.sign_in_experience, "logto provision"
        )
        if kind == "fix"
    ]
    assert len(fixes) == len(expected), result.output
    for fix, fragment in zip(fixes, expected, strict=True):
        assert fragment in fix
    assert "run `logto provision`" in result.output  # the project's console script
    assert run(env_file, "provision").exit_code == 0
    result = run(env_file, "doctor")
    assert result.exit_code == 0, result.output
    assert "fix:" not in result.output
    for connector in CHOSEN:  # credentials changed in the tenant: said, and put back
        (stored,) = [c for c in fake.connectors if c["connectorId"] == connector.factory_id]
        changed = dict.fromkeys(connector.secret_keys, "changed")
        stored["config"] = {**stored["config"], **changed}
        result = run(env_file, "doctor")
        fixes = [line for line in result.output.splitlines() if line.startswith("fix: ")]
        assert fixes == [
            f"fix: the {connector.name} connector (id {stored['id']}) holds other credentials "
            "than .env: run `logto provision` to update it"
        ]
        assert run(env_file, "provision").exit_code == 0
    assert run(env_file, "doctor").exit_code == 0


def test_doctor_lists_exactly_what_provision_left(fake: FakeManagementApi, tmp_path: Path) -> None:
    """After a `provision` that left connectors for later (and a setting unset), `doctor`'s
    `fix:` and `later:` lines are provision's own: nothing else is wrong with the tenant."""
    env_file = write_env(tmp_path / ".env", fake.endpoint, **placeholders(), SECRET_KEY="")
    provisioned = run(env_file, "provision")
    assert provisioned.exit_code == 0, provisioned.output
    doctor = run(env_file, "doctor")
    assert doctor.exit_code == 1
    assert fixes(doctor) == fixes(provisioned) and fixes(doctor)
    later = [line for line in doctor.output.splitlines() if line.startswith("later: ")]
    assert later == [line for line in provisioned.output.splitlines() if line.startswith("later:")]
    assert len(later) == len(CHOSEN)


def test_provision_has_the_options_of_the_chosen_connectors(env_file: Path) -> None:
    """Each connector adds its own `provision` options (`flags`); an option no connector of
    this project adds is refused."""
    command = logto.commands["provision"]
    options = {option for param in command.params for option in param.opts}
    options -= {"--dry-run", "--env-file", "--assign-role"}  # the API's
    options -= {"--demo-organization", "--demo-organization-name"}  # the organizations'
    assert options == {flag.option for connector in CHOSEN for flag in connector.flags}
    refused = run(env_file, "provision", "--no-such-option")
    assert refused.exit_code == 2 and "No such option" in refused.output


def test_doctor_flags_an_id_token_lifetime_the_app_would_renew_on_every_page(
    fake: FakeManagementApi, tmp_path: Path
) -> None:
    app = fake.add_application(PROJECT_NAME, [f"{BASE_URL}/callback"], [f"{BASE_URL}/"])
    app["customClientMetadata"] = {"idTokenTtl": 20}
    secret = fake.secrets[app["id"]][0]["value"]
    env_file = write_env(
        tmp_path / ".env", fake.endpoint, LOGTO_APP_ID=app["id"], LOGTO_APP_SECRET=secret
    )
    result = run(env_file, "doctor")
    assert result.exit_code == 1
    assert "fix: the app's ID tokens live 20 s (customClientMetadata.idTokenTtl)" in result.output
    app["customClientMetadata"] = {"idTokenTtl": 36}
    assert "idTokenTtl" not in run(env_file, "doctor").output


def test_doctor_without_m2m_checks_env_and_discovery(
    fake: FakeManagementApi, tmp_path: Path
) -> None:
    env_file = write_env(tmp_path / ".env", fake.endpoint, LOGTO_M2M_APP_ID="")
    result = run(env_file, "doctor")
    assert result.exit_code == 1  # LOGTO_APP_ID is still a placeholder
    assert "fix: LOGTO_APP_ID is still the placeholder" in result.output
    assert "skip: the tenant" in result.output
    assert not fake.requests


def test_doctor_says_the_session_store_answers(tmp_path: Path) -> None:
    """One `ok:` line for the store (a server-side store's outage tests: a `fix:` line when
    it is down)."""
    result = run(write_env(tmp_path / ".env", "https://your-tenant.logto.app"), "doctor")
    stores = [line for line in result.output.splitlines() if "session store" in line]
    assert len(stores) == 1 and stores[0].startswith("ok: "), result.output


def test_doctor_names_every_bad_setting_on_its_own_line(tmp_path: Path) -> None:
    """The .env a bake starts with: three placeholders, three `fix:` lines, one run."""
    env_file = write_env(tmp_path / ".env", "https://your-tenant.logto.app")
    result = run(env_file, "doctor")
    assert result.exit_code == 1
    fixes = [line for line in result.output.splitlines() if line.startswith("fix: ")]
    for name in ("LOGTO_ENDPOINT", "LOGTO_APP_ID", "LOGTO_APP_SECRET"):
        assert sum(line.startswith(f"fix: {name}") for line in fixes) == 1, result.output


def test_env_file_from_environment(fake: FakeManagementApi, env_file: Path) -> None:
    result = CliRunner().invoke(
        logto, ["provision", "--dry-run"], env={"LOGTO_ENV_FILE": str(env_file)}
    )
    assert result.exit_code == 0, result.output
    assert "[POST /api/applications]" in result.output


def test_the_project_declares_the_logto_console_script() -> None:
    """`pip install -e .` / `uv sync` installs `logto`, whatever the framework."""
    assert declared_entry_points()["console_scripts"] == {"logto": "logto_kit.admin.cli:main"}


def test_the_console_script_reads_the_projects_env_wherever_it_runs(tmp_path: Path) -> None:
    """`logto doctor` run in another folder reads the project's `.env` (not the folder's), and
    says what the group says in-process of that file: the same lines, the same exit code."""
    copy = installed_copy(tmp_path)
    env_file = write_env(copy.project / ".env", "https://your-tenant.logto.app")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("LOGTO_ENDPOINT=https://elsewhere.example\n", encoding="utf-8")
    result = copy.logto_script("doctor", cwd=elsewhere)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == ""
    for name in ("LOGTO_ENDPOINT", "LOGTO_APP_ID", "LOGTO_APP_SECRET"):
        assert f"fix: {name} is still the placeholder" in result.stdout
    assert result.stdout == run(env_file, "doctor").output


def test_the_console_script_fails_in_one_line(tmp_path: Path) -> None:
    copy = installed_copy(tmp_path)
    write_env(copy.project / ".env", "https://your-tenant.logto.app", LOGTO_M2M_APP_ID="")
    result = copy.logto_script("provision", cwd=copy.project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: provision needs LOGTO_ENDPOINT and LOGTO_M2M_APP_ID first: the fix: lines "
        "above say where each is found"
    ]
    assert "fix: LOGTO_M2M_APP_ID is not set" in result.stdout
    refused = copy.logto_script("provision", "--no-such-option", cwd=copy.project)
    assert refused.returncode == 2 and "No such option" in refused.stderr


def test_the_console_script_helps(tmp_path: Path) -> None:
    """`logto --help` lists the commands; `python -m logto_kit.admin` (the commands without
    installing the project) is the same program."""
    copy = installed_copy(tmp_path)
    helped = copy.logto_script("--help", cwd=tmp_path)
    assert helped.returncode == 0 and helped.stderr == ""
    assert helped.stdout.startswith("Usage: logto [OPTIONS] COMMAND [ARGS]...")
    listed = helped.stdout.split("Commands:")[1].split()
    assert {"provision", "doctor", "connectors"} <= set(listed)
    module = copy.run(["-m", "logto_kit.admin", "--help"], cwd=tmp_path)
    assert (module.returncode, module.stdout) == (0, helped.stdout)

"""`logto provision` registers the back-channel logout URI, with session IDs in logout tokens,
keeping the app's other metadata, once; `logto doctor` checks it."""

from __future__ import annotations

from pathlib import Path

from logto_kit.about import PROJECT_NAME
from logto_kit.admin.management_api import ManagementApi
from logto_kit.admin.provisioning import plan

from .fake_management_api import FakeManagementApi
from .provisioning_steps import provision, target
from .test_logto_cli import BASE_URL, clean_environment, reachable_store, run, write_env

#: The CLI tests' fixtures: settings only from the test's .env, and a session store that answers.
__all__ = ["clean_environment", "reachable_store"]

URI = "http://localhost:3000/backchannel-logout"


def test_a_new_app_gets_the_uri(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    provision(api, target(tmp_path, {}, backchannel_logout=True))
    (app,) = fake.applications.values()
    metadata = app["oidcClientMetadata"]
    assert metadata["backchannelLogoutUri"] == URI
    assert metadata["backchannelLogoutSessionRequired"] is True
    assert plan(api, target(tmp_path, {}, backchannel_logout=True)).steps == []


def test_an_existing_app_keeps_its_other_metadata(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    app = fake.add_application(
        "Demo", ["https://other.example/callback"], ["https://other.example/"]
    )
    app["oidcClientMetadata"] |= {
        "logoUri": "https://other.example/logo.png",
        "backchannelLogoutUri": "https://old.example/backchannel-logout",
        "backchannelLogoutSessionRequired": False,
    }
    result = provision(api, target(tmp_path, {}, backchannel_logout=True))
    patch = next(step for step in result.steps if step.method == "PATCH")
    assert URI in patch.summary
    metadata = app["oidcClientMetadata"]
    assert metadata["backchannelLogoutUri"] == URI
    assert metadata["backchannelLogoutSessionRequired"] is True
    assert metadata["logoUri"] == "https://other.example/logo.png"
    assert metadata["redirectUris"][0] == "https://other.example/callback"
    assert plan(api, target(tmp_path, {}, backchannel_logout=True)).steps == []


def test_doctor_reports_a_missing_uri_then_passes(fake: FakeManagementApi, tmp_path: Path) -> None:
    app = fake.add_application(PROJECT_NAME, [f"{BASE_URL}/callback"], [f"{BASE_URL}/"])
    secret = fake.secrets[app["id"]][0]["value"]
    env_file = write_env(
        tmp_path / ".env", fake.endpoint, LOGTO_APP_ID=app["id"], LOGTO_APP_SECRET=secret
    )
    result = run(env_file, "doctor")
    assert result.exit_code == 1
    assert f"fix: the app {PROJECT_NAME!r} needs the back-channel logout URI {URI}" in (
        result.output
    )
    assert run(env_file, "provision").exit_code == 0
    result = run(env_file, "doctor")
    assert result.exit_code == 0, result.output
    assert f"ok: the app {PROJECT_NAME!r} has the back-channel logout URI {URI}" in result.output
    app["oidcClientMetadata"]["backchannelLogoutSessionRequired"] = False
    assert "backchannelLogoutSessionRequired" in run(env_file, "doctor").output

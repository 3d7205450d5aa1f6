"""`logto provision` and `logto doctor` for the API: its resource, permissions and role, and
the role given to a user, against the fake Management API (checked against a real Logto by
the template's suite)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from logto_kit.api.scopes import API_SCOPES, ROLE_NAME

from .fake_management_api import FakeManagementApi
from .test_logto_cli import OUR_PREFIXES, assert_one_error_line, run, write_env

API_RESOURCE = "https://api.test.example"  # test_logto_cli.write_env's LOGTO_API_RESOURCE


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come only from the test's `.env`."""
    for name in list(os.environ):
        if name.startswith(OUR_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture
def env_file(tmp_path: Path, fake: FakeManagementApi) -> Path:
    return write_env(tmp_path / ".env", fake.endpoint)


def ours(fake: FakeManagementApi) -> list[dict[str, object]]:
    """The tenant's API resources for this app (every tenant also has the Management API)."""
    return [r for r in fake.resources if r["indicator"] == API_RESOURCE]


def role_scope_names(fake: FakeManagementApi, role: dict[str, object]) -> set[str]:
    held = fake.role_scopes[str(role["id"])]
    return {scope["name"] for scope in fake.scopes if scope["id"] in held}


def test_provision_creates_the_resource_its_permissions_and_role(
    fake: FakeManagementApi, env_file: Path
) -> None:
    result = run(env_file, "provision")
    assert result.exit_code == 0, result.output
    (resource,) = ours(fake)
    assert {s["name"] for s in fake.scopes if s["resourceId"] == resource["id"]} == set(API_SCOPES)
    (role,) = fake.roles
    assert (role["name"], role["type"]) == (ROLE_NAME, "User")
    assert role_scope_names(fake, role) == set(API_SCOPES)
    assert f"create the API resource {API_RESOURCE!r}" in result.output

    again = run(env_file, "provision")
    assert again.exit_code == 0 and "no changes" in again.output, again.output
    doctor = run(env_file, "doctor")
    assert f"ok: the API resource {API_RESOURCE} has its permissions" in doctor.output


def test_provision_completes_what_the_tenant_has(fake: FakeManagementApi, env_file: Path) -> None:
    """A resource made by hand with one permission, and the role without it: the missing
    permission is added, and given to the role; nothing is made twice."""
    first, *others = API_SCOPES
    created = fake.handle("POST", ["resources"], {}, {"name": "Mine", "indicator": API_RESOURCE})
    resource_id = created[1]["id"]
    fake.handle("POST", ["resources", resource_id, "scopes"], {}, {"name": first})
    fake.handle("POST", ["roles"], {}, {"name": ROLE_NAME, "description": "mine"})
    doctor = run(env_file, "doctor")
    assert all(f"add the permission {name!r}" in doctor.output for name in others), doctor.output
    assert run(env_file, "provision").exit_code == 0
    (resource,) = ours(fake)
    assert resource["name"] == "Mine"
    scopes = [s["name"] for s in fake.scopes if s["resourceId"] == resource["id"]]
    assert sorted(scopes) == sorted(API_SCOPES)
    (role,) = fake.roles
    assert role["description"] == "mine"
    assert role_scope_names(fake, role) == set(API_SCOPES)


def test_assign_role_gives_the_role_to_a_user_once(fake: FakeManagementApi, env_file: Path) -> None:
    alice = fake.add_user("alice", "alice@example.com")
    assert run(env_file, "provision", "--assign-role", "alice").exit_code == 0
    (role,) = fake.roles
    assert fake.user_roles[alice["id"]] == [role["id"]]
    for who in ("alice", alice["id"], "alice@example.com"):
        again = run(env_file, "provision", "--assign-role", who)
        assert "no changes" in again.output, again.output


def test_assign_role_to_nobody_is_one_error_line(fake: FakeManagementApi, env_file: Path) -> None:
    result = run(env_file, "provision", "--assign-role", "nobody")
    assert_one_error_line(result, "no user has the id, username or email 'nobody'")
    assert not ours(fake)  # nothing is half made


def test_a_machine_role_of_the_same_name_is_one_error_line(
    fake: FakeManagementApi, env_file: Path
) -> None:
    body = {"name": ROLE_NAME, "description": "jobs", "type": "MachineToMachine"}
    fake.handle("POST", ["roles"], {}, body)
    result = run(env_file, "provision")
    assert_one_error_line(result, f"the role {ROLE_NAME!r} exists as a MachineToMachine role")

"""`logto provision` and `logto doctor` for organizations: the organization role the pages ask
for, and `--demo-organization USER` (an organization with that user as its admin), against
the fake Management API (checked against a real Logto by the template's suite)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from logto_kit.auth.organizations import ADMIN_ROLE

from .fake_management_api import FakeManagementApi
from .test_logto_cli import OUR_PREFIXES, assert_one_error_line, reachable_store, run, write_env

__all__ = ["reachable_store"]  # the CLI tests' fixture: `.env` names a store that answers
DEMO = "Demo organization"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come only from the test's `.env`."""
    for name in list(os.environ):
        if name.startswith(OUR_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture
def env_file(tmp_path: Path, fake: FakeManagementApi) -> Path:
    return write_env(tmp_path / ".env", fake.endpoint)


def role_names(fake: FakeManagementApi, organization_id: str, user_id: str) -> list[str]:
    names = {role["id"]: role["name"] for role in fake.organization_roles}
    return [names[role_id] for role_id in fake.members[organization_id][user_id]]


def test_provision_creates_the_organization_role_doctor_asks_for(
    fake: FakeManagementApi, env_file: Path
) -> None:
    doctor = run(env_file, "doctor")
    assert doctor.exit_code == 1
    assert (
        f"fix: the tenant needs this: create the organization role {ADMIN_ROLE!r}" in doctor.output
    )
    result = run(env_file, "provision")
    assert result.exit_code == 0, result.output
    (role,) = fake.organization_roles
    assert (role["name"], role["type"]) == (ADMIN_ROLE, "User")
    assert fake.organizations == []  # an organization only when asked for
    doctor = run(env_file, "doctor")
    assert f"ok: the tenant has the organization role {ADMIN_ROLE!r}" in doctor.output
    assert doctor.exit_code == 0, doctor.output


def test_demo_organization_makes_the_user_its_admin_once(
    fake: FakeManagementApi, env_file: Path
) -> None:
    alice = fake.add_user("alice", "alice@example.com")
    dry = run(env_file, "provision", "--demo-organization", "alice", "--dry-run")
    assert dry.exit_code == 0, dry.output
    for request in (
        "[POST /api/organization-roles]",
        "[POST /api/organizations]",
        "[POST /api/organizations/{organization}/users]",
        "[POST /api/organizations/{organization}/users/{user}/roles]",
    ):
        assert request in dry.output
    assert fake.changes() == []

    result = run(env_file, "provision", "--demo-organization", "alice")
    assert result.exit_code == 0, result.output
    (organization,) = fake.organizations
    assert organization["name"] == DEMO
    assert role_names(fake, organization["id"], alice["id"]) == [ADMIN_ROLE]
    assert f"give the user 'alice' ({alice['id']}) the organization role 'admin'" in result.output
    made = len(fake.changes())
    for who in ("alice", alice["id"], "alice@example.com"):
        again = run(env_file, "provision", "--demo-organization", who)
        assert again.exit_code == 0 and "no changes" in again.output, again.output
    assert len(fake.changes()) == made


def test_demo_organization_completes_what_the_tenant_has(
    fake: FakeManagementApi, env_file: Path
) -> None:
    """An organization of that name made by hand, and one the user is already a member of
    without the role: the user's own is used, gets the role; nothing is made twice."""
    bob = fake.add_user("bob")
    other = fake.add_organization("Acme")
    own = fake.add_organization("Acme")
    fake.handle("POST", ["organizations", own["id"], "users"], {}, {"userIds": [bob["id"]]})
    args = ("--demo-organization", "bob", "--demo-organization-name", "Acme")
    result = run(env_file, "provision", *args)
    assert result.exit_code == 0, result.output
    assert [o["id"] for o in fake.organizations] == [other["id"], own["id"]]
    assert role_names(fake, own["id"], bob["id"]) == [ADMIN_ROLE]
    assert fake.members[other["id"]] == {}
    assert "no changes" in run(env_file, "provision", *args).output

    carol = fake.add_user("carol")  # a member of none: added to the first Logto lists
    first = min(other, own, key=lambda organization: organization["id"])  # Logto lists by id
    assert run(env_file, "provision", "--demo-organization", "carol", *args[2:]).exit_code == 0
    assert role_names(fake, first["id"], carol["id"]) == [ADMIN_ROLE]
    assert len(fake.organizations) == 2


def test_demo_organization_for_nobody_is_one_error_line(
    fake: FakeManagementApi, env_file: Path
) -> None:
    result = run(env_file, "provision", "--demo-organization", "nobody")
    assert_one_error_line(result, "no user has the id, username or email 'nobody'")
    assert fake.changes() == []  # nothing is half made


def test_a_machine_organization_role_of_the_name_is_one_error_line(
    fake: FakeManagementApi, env_file: Path
) -> None:
    body = {"name": ADMIN_ROLE, "type": "MachineToMachine"}
    fake.handle("POST", ["organization-roles"], {}, body)
    result = run(env_file, "provision")
    assert_one_error_line(
        result, f"the organization role {ADMIN_ROLE!r} exists as a MachineToMachine role"
    )

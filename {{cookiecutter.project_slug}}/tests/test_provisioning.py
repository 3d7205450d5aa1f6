"""The provisioning plan against the fake Management API: the app and `.env`, every chosen
connector, idempotency. Each connector's own needs are tested in its tests/test_<name>.py."""

from __future__ import annotations

from pathlib import Path

from logto_kit.admin.management_api import ManagementApi
from logto_kit.admin.provisioning import plan
from logto_kit.connectors import CHOSEN

from .fake_management_api import FakeManagementApi
from .provisioning_steps import chosen_configs, provision, target


def test_every_chosen_connector_then_nothing_to_do(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    fake.add_connector("google-universal", {"clientId": "g", "clientSecret": "g"})
    fake.sign_in_experience["socialSignInConnectorTargets"] = ["google"]
    first = provision(api, target(tmp_path, chosen_configs()))
    expected = ["POST /api/applications", f"WRITE {tmp_path / '.env'}"]
    expected += ["POST /api/connectors"] * len(CHOSEN)
    expected += ["PATCH /api/sign-in-exp"] * bool(CHOSEN)
    assert [step.request for step in first.steps] == expected
    made = {connector["connectorId"] for connector in fake.connectors}
    assert made == {"google-universal"} | {connector.factory_id for connector in CHOSEN}
    assert fake.sign_in_experience["socialSignInConnectorTargets"][0] == "google"  # kept
    again = plan(api, target(tmp_path, chosen_configs()))
    assert again.steps == []
    assert again.notes == first.notes  # the facts and what was held back are said again


def test_no_connectors_leave_the_sign_in_experience_alone(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    provision(api, target(tmp_path, {}))
    assert not [r for r in fake.requests if "connectors" in r.path or "sign-in-exp" in r.path]


def test_expired_secret_gets_a_new_one(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    app = fake.add_application(
        "Demo", ["http://localhost:3000/callback"], ["http://localhost:3000/"]
    )
    fake.secrets[app["id"]][0]["expiresAt"] = 1000
    result = provision(api, target(tmp_path, {}))
    assert [s.method for s in result.steps] == ["POST", "WRITE"]
    assert (tmp_path / ".env").read_text() == (
        f"LOGTO_APP_ID={app['id']}\nLOGTO_APP_SECRET={fake.secrets[app['id']][1]['value']}\n"
    )

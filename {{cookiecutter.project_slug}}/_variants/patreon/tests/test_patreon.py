"""Patreon: the `.env` values, the button, the connector `provision` makes (with the id
`patreon`, so its callback is known in advance) and the social button it adds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from logto_kit.admin.management_api import ManagementApi
from logto_kit.admin.provisioning import apply, plan
from logto_kit.connectors.patreon import CONNECTOR, callback_uri
from logto_kit.settings import SettingsError

from .fake_management_api import FakeManagementApi
from .patreon_connector import ENV
from .provisioning_steps import provision, target

PATREON = ENV


def only_patreon(**changes: str) -> dict[Any, dict[str, Any]]:
    return {CONNECTOR: CONNECTOR.config({**PATREON, **changes})}


def test_config_has_the_shape_logto_takes() -> None:
    assert CONNECTOR.config(PATREON) == {
        "clientId": PATREON["PATREON_CLIENT_ID"],
        "clientSecret": PATREON["PATREON_CLIENT_SECRET"],
        "scope": "identity identity[email]",
    }
    assert callback_uri("https://t.logto.app") == "https://t.logto.app/callback/patreon"
    assert CONNECTOR.secret_keys == ("clientSecret",)
    assert CONNECTOR.paste_where.startswith("Logto Console > Connectors > Social connectors")


def test_the_button_goes_straight_to_patreon() -> None:
    assert CONNECTOR.button.params == {"direct_sign_in": "social:patreon"}


@pytest.mark.parametrize(
    ("name", "value"),
    [("PATREON_CLIENT_ID", "has spaces in it"), ("PATREON_SCOPE", "identity,campaigns")],
)
def test_malformed_values_are_one_line(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{name}="):
        CONNECTOR.config({**PATREON, name: value})


def test_every_unusable_value_is_named_at_once() -> None:
    """`.env.example`'s placeholders: one line each, in one go; the scope has a default."""
    given = {
        "PATREON_CLIENT_ID": "your-patreon-client-id",
        "PATREON_CLIENT_SECRET": "your-patreon-client-secret",
    }
    missing = CONNECTOR.missing(given)
    assert list(missing) == list(given)
    assert all(f"{name} is still the placeholder" in missing[name] for name in given)
    with pytest.raises(SettingsError) as caught:
        CONNECTOR.config(given)
    assert caught.value.problems == list(missing.values())
    assert CONNECTOR.missing({**given, **PATREON}) == {}


def test_the_connector_gets_the_id_patreon_and_the_social_button(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    fake.add_connector("google-universal", {"clientId": "g", "clientSecret": "g"})
    fake.sign_in_experience["socialSignInConnectorTargets"] = ["google"]
    result = provision(api, target(tmp_path, only_patreon()))
    (patreon,) = [c for c in fake.connectors if c["connectorId"] == "patreon-universal"]
    assert patreon["id"] == "patreon"
    assert fake.sign_in_experience["socialSignInConnectorTargets"] == ["google", "patreon"]
    assert f"{fake.endpoint}/callback/patreon" in " ".join(result.notes)


def test_changed_credentials_patch_the_config(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    provision(api, target(tmp_path, only_patreon()))
    changed = target(tmp_path, only_patreon(PATREON_CLIENT_SECRET="new-secret"))
    (step,) = plan(api, changed).steps
    assert step.request == "PATCH /api/connectors/patreon"
    apply([step], lambda line: None)
    assert fake.connectors[-1]["config"]["clientSecret"] == "new-secret"


def test_patreon_under_another_id_is_used(
    fake: FakeManagementApi, api: ManagementApi, tmp_path: Path
) -> None:
    fake.add_connector("patreon-universal", CONNECTOR.config(PATREON), connector_id="abc123")
    fake.sign_in_experience["socialSignInConnectorTargets"] = ["patreon"]
    result = plan(api, target(tmp_path, only_patreon()))
    assert [step.request for step in result.steps if "connectors" in step.path] == []
    assert f"{fake.endpoint}/callback/abc123" in " ".join(result.notes)


def test_doctor_says_whether_patreon_is_a_social_button() -> None:
    command = "cli logto provision"
    (missing,) = CONNECTOR.check_sign_in_experience({"socialSignInConnectorTargets": []}, command)
    assert missing[0] == "fix"
    assert missing[1].startswith("Patreon is not a social sign-in button")
    assert f"run `{command}`" in missing[1]
    targets = {"socialSignInConnectorTargets": ["google", "patreon"]}
    assert [kind for kind, _ in CONNECTOR.check_sign_in_experience(targets, command)] == ["ok"]

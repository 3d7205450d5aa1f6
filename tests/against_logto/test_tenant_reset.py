"""The real-Logto tier's own footing: the tenant goes back to what it was after a test."""

from __future__ import annotations

from tests.support.real_logto import LogtoTenant


def test_reset_undoes_a_tests_changes(tenant: LogtoTenant) -> None:
    before = tenant.snapshot()
    tenant.call("POST", "/api/applications", {"name": "Scratch", "type": "Traditional"})
    tenant.create_user("scratch_user", "Scratch-Passw0rd!")
    color = {**before["sign_in_exp"]["color"], "primaryColor": "#123456"}
    tenant.call("PATCH", "/api/sign-in-exp", {"color": color})
    tenant.reset()
    assert tenant.snapshot() == before

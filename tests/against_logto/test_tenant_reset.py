"""The real-Logto tier's own footing: the tenant goes back to what it was after a test."""

from __future__ import annotations

from tests.support.real_logto import LogtoTenant


def test_users_are_read_past_the_first_page(tenant: LogtoTenant) -> None:
    """Logto pages its user list: a reset must see (and keep) every user the tenant had."""
    before = {user["id"] for user in tenant.all_users()}
    made = {tenant.create_user(f"reader_{n}", "Scratch-Passw0rd!")["id"] for n in range(25)}
    assert {user["id"] for user in tenant.all_users()} == before | made
    assert len(tenant.call("GET", "/api/users")) == 20  # one default page: not all of them


def test_reset_undoes_a_tests_changes(tenant: LogtoTenant) -> None:
    before = tenant.snapshot()
    tenant.call("POST", "/api/applications", {"name": "Scratch", "type": "Traditional"})
    tenant.create_user("scratch_user", "Scratch-Passw0rd!")
    color = {**before["sign_in_exp"]["color"], "primaryColor": "#123456"}
    tenant.call("PATCH", "/api/sign-in-exp", {"color": color})
    tenant.reset()
    assert tenant.snapshot() == before

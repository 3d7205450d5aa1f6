"""Fixtures of the real-Logto tier: one Logto per test session (see tests/support/real_logto.py),
and for each test the tenant as the session found it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.real_logto import LogtoInstance, LogtoTenant, logto_instance, tenant_lock


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.logto)


@pytest.fixture(scope="session")
def logto() -> Iterator[LogtoInstance]:
    with logto_instance() as instance:
        yield instance


@pytest.fixture(scope="session")
def logto_baseline(logto: LogtoInstance) -> LogtoTenant:
    with tenant_lock(logto.endpoint):
        tenant = LogtoTenant(logto)
        tenant.baseline = tenant.snapshot()
    return tenant


@pytest.fixture
def tenant(logto_baseline: LogtoTenant) -> Iterator[LogtoTenant]:
    """The tenant, changed by this test alone; put back as it was afterwards."""
    with tenant_lock(logto_baseline.endpoint):
        try:
            yield logto_baseline
        finally:
            logto_baseline.reset()

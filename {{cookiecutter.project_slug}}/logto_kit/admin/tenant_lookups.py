"""Reading the tenant for `logto provision`'s parts: every page of a paged list, and a user
named by id, username or email (`--assign-role USER`, `--demo-organization USER`)."""

from __future__ import annotations

from typing import Any

from .management_api import ManagementApi
from .provisioning_plan import ProvisioningError

PAGE_SIZE = 100  # the largest page Logto gives
MAX_PAGES = 100


def all_pages(api: ManagementApi, path: str) -> list[dict[str, Any]]:
    """Every item of a paged list."""
    items: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        batch = api.get(path, {"page": str(page), "page_size": str(PAGE_SIZE)})
        items += batch
        if len(batch) < PAGE_SIZE:
            return items
    raise ProvisioningError(f"{path} lists more than {PAGE_SIZE * MAX_PAGES} items")


def find_user(api: ManagementApi, who: str) -> dict[str, Any]:
    """The user whose id, username or primary email is exactly `who`."""
    for field in ("id", "username", "primaryEmail"):
        query = {f"search.{field}": who, f"mode.{field}": "exact", "page_size": str(PAGE_SIZE)}
        found = [user for user in api.get("/api/users", query) if user.get(field) == who]
        if found:
            return dict(found[0])
    raise ProvisioningError(
        f"no user has the id, username or email {who!r}: check it in Logto Console > "
        "User management"
    )

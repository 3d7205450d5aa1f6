"""What the API's example endpoints do, with no web framework inside: list items and check a
new one. Replace them with your own; keep each route's `require_scopes` (web/api.py)."""

from __future__ import annotations

from typing import Any

MAX_NAME_LENGTH = 100
#: The example's items. A real API reads its own storage here.
SAMPLE_ITEMS: tuple[dict[str, Any], ...] = (
    {"id": 1, "name": "Welcome pack"},
    {"id": 2, "name": "Starter kit"},
)


class ItemRejected(ValueError):
    """The submitted item is not acceptable; the message says why (a 400)."""


def new_item(submitted: object, created_by: str) -> dict[str, Any]:
    """The item `created_by` (a token's subject) submitted as `{"name": "..."}`."""
    if not isinstance(submitted, dict):
        raise ItemRejected('send a JSON object like {"name": "New item"}')
    name = submitted.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ItemRejected("name must be a non-empty string")
    if len(name) > MAX_NAME_LENGTH:
        raise ItemRejected(f"name must be at most {MAX_NAME_LENGTH} characters")
    return {"name": name.strip(), "created_by": created_by}

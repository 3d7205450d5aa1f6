"""The permissions of this app's API, as Logto calls them: scopes of the API resource, held
through roles. `logto provision` creates each one and a role holding them all; the routes in
`web/api.py` and the profile page check them. Add yours here."""

from __future__ import annotations

from ..about import PROJECT_NAME

READ_ITEMS = "read:items"
WRITE_ITEMS = "write:items"

#: Every scope of the API resource, with the description Logto Console shows.
API_SCOPES: dict[str, str] = {
    READ_ITEMS: "List the items",
    WRITE_ITEMS: "Create items",
}

#: The role `logto provision` creates (and can give to a user) holding every scope above.
ROLE_NAME = f"{PROJECT_NAME} editor"
ROLE_DESCRIPTION = f"Uses every part of the {PROJECT_NAME} API"

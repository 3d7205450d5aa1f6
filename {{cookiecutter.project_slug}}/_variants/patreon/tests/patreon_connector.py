"""Patreon in the tests (gathered by chosen_connectors.py)."""

#: Well-formed `.env` values.
ENV = {
    "PATREON_CLIENT_ID": "patreon-client-id",
    "PATREON_CLIENT_SECRET": "pa-secret-value",
}
#: As a Logto tenant has it installed: factory id -> (type, target, config keys it requires).
IN_LOGTO = {"patreon-universal": ("Social", "patreon", ("clientId", "clientSecret"))}

"""Well-formed `.env` values for every connector (only the chosen ones read theirs)."""

CONNECTOR_ENV = {
    "TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "TWILIO_AUTH_TOKEN": "ab" + "c" * 30,
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "89abcdef01234567" * 2,
    "PATREON_CLIENT_ID": "patreon-client-id",
    "PATREON_CLIENT_SECRET": "pa-secret-value",
}

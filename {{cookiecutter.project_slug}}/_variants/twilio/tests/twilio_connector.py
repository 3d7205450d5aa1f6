"""Twilio SMS in the tests (gathered by chosen_connectors.py)."""

#: Well-formed `.env` values.
ENV = {
    "TWILIO_ACCOUNT_SID": "AC" + "0123456789abcdef" * 2,
    "TWILIO_AUTH_TOKEN": "ab" + "c" * 30,
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "89abcdef01234567" * 2,
}
#: As a Logto tenant has it installed: factory id -> (type, target, config keys it requires).
IN_LOGTO = {
    "twilio-short-message-service": (
        "Sms",
        "twilio-sms",
        ("accountSID", "authToken", "fromMessagingServiceSID"),
    ),
}

"""POST /backchannel-logout for Flask: Logto's logout token ends this app's sessions of that
Logto session (web/logout_token_receiver.py decides; this only adapts it)."""

from __future__ import annotations

from flask import Flask, Response, request

from ..auth.logto_auth import LogtoAuth
from ..sessions.interface import StoredSessionInterface
from ..settings import Settings
from .async_bridge import run_coroutine
from .csrf import csrf
from .logout_token_receiver import FORM_FIELD, PATH, Answer, BackchannelLogout, logto_session_of


def register(app: Flask, settings: Settings, auth: LogtoAuth) -> None:
    """The route, and the binding of each new signed-in session to its Logto session (an
    optional part: web/extension.py registers it through optional_parts.py)."""
    interface = app.session_interface
    if not isinstance(interface, StoredSessionInterface):
        raise TypeError("back-channel logout needs a server-side session store")
    interface.logto_session_of = logto_session_of
    interface.sessionless_paths |= {PATH}
    receiver = BackchannelLogout(auth, interface.store)

    @app.post(PATH)
    def backchannel_logout() -> Response:
        validator = run_coroutine(receiver.validator())
        if isinstance(validator, Answer):
            return response(validator)
        checked = receiver.check(validator, request.form.get(FORM_FIELD))
        if isinstance(checked, Answer):
            return response(checked)
        return response(receiver.end_sessions(checked))

    csrf.exempt(backchannel_logout)  # Logto's signed logout token is the proof, not a cookie


def response(answer: Answer) -> Response:
    return Response(answer.json(), answer.status, answer.all_headers())

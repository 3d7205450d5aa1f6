"""POST /backchannel-logout for Quart: Logto's logout token ends this app's sessions of that
Logto session (web/logout_token_receiver.py decides; this only adapts it). The key fetch runs in
a worker thread and the store calls on the store's threads: the event loop never waits."""

from __future__ import annotations

import asyncio

from quart import Quart, Response, request

from ..auth.logto_auth import LogtoAuth
from ..sessions.interface import StoredSessionInterface, in_store_thread
from ..settings import Settings
from .csrf import csrf
from .logout_token_receiver import FORM_FIELD, PATH, Answer, BackchannelLogout, logto_session_of


def register(app: Quart, settings: Settings, auth: LogtoAuth) -> None:
    """The route, and the binding of each new signed-in session to its Logto session (an
    optional part: web/extension.py registers it through optional_parts.py)."""
    interface = app.session_interface
    if not isinstance(interface, StoredSessionInterface):
        raise TypeError("back-channel logout needs a server-side session store")
    interface.logto_session_of = logto_session_of
    interface.sessionless_paths |= {PATH}
    receiver = BackchannelLogout(auth, interface.store)

    @app.post(PATH)
    @csrf.exempt  # Logto's signed logout token is the proof, not a cookie
    async def backchannel_logout() -> Response:
        validator = await receiver.validator()
        if isinstance(validator, Answer):
            return response(validator)
        form = await request.form
        checked = await asyncio.to_thread(receiver.check, validator, form.get(FORM_FIELD))
        if isinstance(checked, Answer):
            return response(checked)
        return response(await in_store_thread(receiver.end_sessions, checked))


def response(answer: Answer) -> Response:
    return Response(answer.json(), answer.status, answer.all_headers())

"""POST /backchannel-logout for FastAPI: Logto's logout token ends this app's sessions of that
Logto session (web/logout_token_receiver.py decides; this only adapts it). The key fetch runs in
a worker thread and the store calls on the store's threads: the event loop never waits."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from ..auth.logto_auth import LogtoAuth
from ..sessions.interface import in_store_thread, stored_sessions
from ..settings import Settings
from .csrf import csrf
from .logout_token_receiver import FORM_FIELD, PATH, Answer, BackchannelLogout, logto_session_of


def register(app: FastAPI, settings: Settings, auth: LogtoAuth) -> None:
    """The route, and the binding of each new signed-in session to its Logto session (an
    optional part: web/extension.py registers it through optional_parts.py)."""
    interface = stored_sessions(app)  # back-channel logout needs a server-side session store
    interface.logto_session_of = logto_session_of
    interface.sessionless_paths |= {PATH}
    csrf.exempt(PATH)  # Logto's signed logout token is the proof, not a cookie
    receiver = BackchannelLogout(auth, interface.store)
    router = APIRouter(include_in_schema=False)

    @router.post(PATH, name="backchannel_logout")
    async def backchannel_logout(request: Request) -> Response:
        validator = await receiver.validator()
        if isinstance(validator, Answer):
            return response(validator)
        form = await request.form()
        token = form.get(FORM_FIELD)
        token = token if isinstance(token, str) else None
        checked = await asyncio.to_thread(receiver.check, validator, token)
        if isinstance(checked, Answer):
            return response(checked)
        return response(await in_store_thread(receiver.end_sessions, checked))

    app.include_router(router)


def response(answer: Answer) -> Response:
    return Response(answer.json(), answer.status, answer.all_headers())

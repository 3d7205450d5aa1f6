"""Sign-in, sign-up, the callback and sign-out (FastAPI): each route hands the request to
`auth/logto_auth.py`. A `Failure` it raises is answered with the error page (error_pages.py).
After each completed sign-in, `user_signed_in` (auth/events.py) is sent with the user.

The routes are named `logto.<name>` (`url_for('logto.sign_in')` in the templates)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ..auth.events import user_signed_in
from ..auth.sign_in_options import SignInOption
from ..auth.signed_in import SIGN_IN_OPTIONS
from ..sessions.interface import regenerate_session_id
from .signed_in import current_user, logto_auth

router = APIRouter(include_in_schema=False)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=302)


@router.get("/sign-in", name="logto.sign_in")
async def sign_in(request: Request) -> RedirectResponse:
    return await start_sign_in(request, sign_up=False)


@router.get("/sign-up", name="logto.sign_up")
async def sign_up(request: Request) -> RedirectResponse:
    return await start_sign_in(request, sign_up=True)


@router.get("/sign-in/{option}", name="logto.sign_in_with")
async def sign_in_with(request: Request, option: str) -> RedirectResponse:
    """A chosen connector's sign-in: Logto opens where its button points."""
    if option not in SIGN_IN_OPTIONS:
        raise HTTPException(404)
    return await start_sign_in(request, sign_up=False, option=SIGN_IN_OPTIONS[option])


async def start_sign_in(
    request: Request, *, sign_up: bool, option: SignInOption | None = None
) -> RedirectResponse:
    next_path = request.query_params.get("next")
    return redirect(await logto_auth().sign_in_url(next_path, sign_up=sign_up, option=option))


@router.get("/callback", name="logto.callback")
async def callback(request: Request) -> RedirectResponse:
    error = request.query_params.get("error")
    next_path = await logto_auth().complete_sign_in(str(request.url), error)
    regenerate_session_id()  # signed in now: a new session id (no fixation)
    await user_signed_in.send_async(
        request.app, _sync_wrapper=_awaitable, user=await current_user()
    )
    return redirect(next_path)


def _awaitable(receiver: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """A plain (sync) receiver of `user_signed_in`, called as the async ones are."""

    async def call(*args: Any, **kwargs: Any) -> Any:
        return receiver(*args, **kwargs)

    return call


@router.get("/sign-out", name="logto.confirm_sign_out")
async def confirm_sign_out(request: Request) -> Response:
    if await current_user() is None:
        return redirect(f"{request.scope.get('root_path', '')}/")
    return request.app.state.templates.TemplateResponse(request, "logto/sign_out.html")  # type: ignore[no-any-return]


@router.post("/sign-out", name="logto.sign_out")
async def sign_out() -> RedirectResponse:
    """The form's CSRF token is checked before this runs (csrf.py), as for every POST."""
    return redirect(await logto_auth().sign_out_url())

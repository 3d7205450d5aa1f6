"""What containers, orchestrators and load balancers ask.

`/healthz` is liveness: the process serves (no session, no sign-in, no store, no call to
Logto); restarting the process is the cure when it fails. `/readyz` is readiness: the session
store answers too (503 with one line saying what is down, within the store's time limits),
so traffic can go elsewhere until it is back. Logto is not part of it: signed-in pages serve
without Logto until a sign-in or a renewal needs it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from ..sessions.interface import session_store_problem

router = APIRouter(include_in_schema=False)
HEADERS = {"Cache-Control": "no-store"}


@router.get("/healthz", name="health.healthz")
async def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok\n", headers=HEADERS)


@router.get("/readyz", name="health.readyz")
async def readyz(request: Request) -> PlainTextResponse:
    problem = await session_store_problem(request.app)
    if problem is None:
        return PlainTextResponse("ready\n", headers=HEADERS)
    return PlainTextResponse(f"not ready: {problem}\n", status_code=503, headers=HEADERS)

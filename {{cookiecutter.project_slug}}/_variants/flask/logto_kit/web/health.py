"""What containers, orchestrators and load balancers ask.

`/healthz` is liveness: the process serves (no session, no sign-in, no store, no call to
Logto); restarting the process is the cure when it fails. `/readyz` is readiness: the session
store answers too (503 with one line saying what is down, within the store's time limits),
so traffic can go elsewhere until it is back. Logto is not part of it: signed-in pages serve
without Logto until a sign-in or a renewal needs it."""

from __future__ import annotations

from flask import Blueprint, current_app

from ..sessions.interface import session_store_problem

blueprint = Blueprint("health", __name__)
HEADERS = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@blueprint.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    return "ok\n", 200, HEADERS


@blueprint.get("/readyz")
def readyz() -> tuple[str, int, dict[str, str]]:
    problem = session_store_problem(current_app)
    if problem is None:
        return "ready\n", 200, HEADERS
    return f"not ready: {problem}\n", 503, HEADERS

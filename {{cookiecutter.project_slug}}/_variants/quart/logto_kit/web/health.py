"""What containers and load balancers ask: `/healthz` (liveness: no session, no sign-in, no
call to Logto)."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
async def healthz() -> tuple[str, int, dict[str, str]]:
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}

"""A slow JWKS fetch (key rotation during a sign-in) never blocks other requests.

The SDK verifies ID tokens with PyJWKClient, whose fetch is blocking urllib; the app fetches
keys in a worker thread, so the event loop keeps serving."""

from __future__ import annotations

import asyncio
import time

import httpx2
from jwt.jwk_set_cache import JWKSetCache

from logto_kit.auth.logto_client import BoundedOidcCore
from logto_kit.settings import Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import callback_path

JWKS_DELAY_SECONDS = 1.5
# Far below the JWKS delay a blocked loop would add, far above a busy machine's scheduling
# noise; the benchmark records the real figure (bench/throughput.py).
LIMIT_SECONDS = 0.5


async def _until_jwks_requested(logto: FakeLogto, *, count: int) -> None:
    """Wait, without blocking the loop, until the IdP has seen ``count`` JWKS requests."""
    deadline = time.perf_counter() + 10
    while logto.request_count("/oidc/jwks") < count:
        assert time.perf_counter() < deadline, "the callback never asked for the keys"
        await asyncio.sleep(0.005)


def test_slow_jwks_does_not_stall_an_unrelated_request(
    settings: Settings, logto: FakeLogto
) -> None:
    app = create_app(settings)

    def client() -> httpx2.AsyncClient:
        transport = httpx2.ASGITransport(app=app)
        return httpx2.AsyncClient(transport=transport, base_url="http://localhost")

    async def scenario() -> tuple[float, int, int]:
        async with app.router.lifespan_context(app), client() as browser, client() as other:
            started = await browser.get("/sign-in")
            path, query = callback_path(logto.authorize(started.headers["location"]))
            core = await app.state.logto_auth.client.getOidcCore()
            assert isinstance(core, BoundedOidcCore)
            core.jwksClient.jwk_set_cache = JWKSetCache(3600)  # keys must be fetched again
            logto.jwks_delay = JWKS_DELAY_SECONDS
            callback = asyncio.create_task(browser.get(path, params=query))
            await _until_jwks_requested(logto, count=1)  # the first need: this callback
            # The callback now waits for JWKS; an unrelated request must not wait with it.
            started_at = time.perf_counter()
            home = await other.get("/")
            elapsed = time.perf_counter() - started_at
            assert not callback.done(), "the callback should still be waiting for JWKS"
            return elapsed, home.status_code, (await callback).status_code

    elapsed, home_status, callback_status = asyncio.run(scenario())
    assert home_status == 200
    assert callback_status == 302  # the sign-in completed once the keys arrived
    assert elapsed < LIMIT_SECONDS, f"an unrelated request waited {elapsed * 1000:.0f} ms"

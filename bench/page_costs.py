"""Where a signed-in page's time goes: the app's own cost per request, without a server.

bench/throughput.py measures whole requests under gunicorn (sync / uvicorn workers); this script
calls each app directly (WSGI for Flask, ASGI for Quart) in one process, so the figures are the
app's work alone, and times the pieces a signed-in page cannot skip. One run, one machine:

- a bare hello page, the Logto guide pattern's `/profile` and the baked `/profile`, `/` and
  `/healthz`, each signed in through the baked tests' in-process Logto look-alike;
- the pieces: parsing the Cookie header, opening the signed session (HMAC check, zlib,
  JSON), the ID token's claims (decoded by PyJWT, or read from its payload as the bake does) and
  rendering the profile page's templates.

Run: python3 bench/page_costs.py [--requests 3000] [--write]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from bench.report import machine, write_section  # noqa: E402
from bench.session_latency import bake  # noqa: E402

SECTION = "page-costs"
FRAMEWORKS = ("Flask", "Quart")

# Runs in a fresh interpreter per framework (both bakes name their package logto_web_app).
WORKER = r"""
import asyncio, io, json, os, statistics, sys, time
project, bench_dir, framework, requests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path[:0] = [project, bench_dir]
from tests.fake_logto import FakeLogto
from tests.flows import callback_path, sign_in
from tests.page_client import PageClient
from logto_web_app import create_app
from logto_kit.auth import logto_auth
from logto_kit.settings import Settings
import guide_app

def median_us(call, n=requests):
    for _ in range(min(300, n)):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6

def wsgi_get(app, path, cookie):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_NAME": "localhost", "SERVER_PORT": "3000", "HTTP_HOST": "localhost:3000",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
               "wsgi.multiprocess": False, "wsgi.run_once": False, "HTTP_COOKIE": cookie}
    status = []
    body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    assert status[0].startswith("200"), (path, status, body[:200])
    return body

def asgi_get(loop, app, path, cookie):
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("127.0.0.1", 40000),
             "server": ("127.0.0.1", 3000), "extensions": {},
             "headers": [(b"host", b"localhost:3000"), (b"cookie", cookie.encode())]}
    sent, done, requested = [], asyncio.Event(), []
    async def receive():  # the request once, then a disconnect after the response
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}
    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()
    loop.run_until_complete(app(scope, receive, send))
    assert sent[0]["status"] == 200, (path, sent[0])
    return b"".join(m.get("body", b"") for m in sent[1:])

def guide_cookie(app, logto):
    if framework == "Flask":
        client = app.test_client()
        started = client.get("/sign-in")
        path, query = callback_path(logto.authorize(started.headers["Location"]))
        assert client.get(path, query_string=query).status_code == 302
        return client.get_cookie("session").value
    async def flow():
        client = app.test_client()
        started = await client.get("/sign-in")
        path, query = callback_path(logto.authorize(started.headers["Location"]))
        assert (await client.get(path, query_string=query)).status_code == 302
        return next(c.value for c in client.cookie_jar if c.name == "session")
    return asyncio.run(flow())

results = {}
with FakeLogto() as logto:
    os.environ.update(LOGTO_ENDPOINT=logto.endpoint, LOGTO_APP_ID="test-app",
                      LOGTO_APP_SECRET="test-secret", APP_BASE_URL="http://localhost:3000",
                      SECRET_KEY="g" * 40)
    settings = Settings(logto.endpoint, "test-app", "test-secret", "k" * 40,
                        "http://localhost:3000", session_backend="cookie")
    baked = create_app(settings)
    client = PageClient(baked)
    sign_in(client, logto)
    assert client.get("/profile").status == 200  # caches userinfo in the session
    cookie = client.cookie("session")
    client.close()
    name = framework.lower()
    guide = getattr(guide_app, f"guide_{name}")()
    bare = getattr(guide_app, f"bare_{name}")()
    g_cookie = guide_cookie(guide, logto)
    if framework == "Flask":
        get = lambda app, path, c: wsgi_get(app, path, c)
    else:
        loop = asyncio.new_event_loop()
        loop.run_until_complete(baked.startup())
        get = lambda app, path, c: asgi_get(loop, app, path, c)
    assert b"Alice Example" in get(baked, "/profile", "session=" + cookie)
    assert b"Alice Example" in get(guide, "/profile", "session=" + g_cookie)
    pages = {
        "bare hello page `/`": (bare, "/", ""),
        "guide pattern `/profile`": (guide, "/profile", "session=" + g_cookie),
        "baked `/profile`": (baked, "/profile", "session=" + cookie),
        "baked `/` (signed in)": (baked, "/", "session=" + cookie),
        "baked `/healthz`": (baked, "/healthz", ""),
    }
    for label, (app, path, c) in pages.items():
        results[label] = median_us(lambda: get(app, path, c))

    from werkzeug.sansio.http import parse_cookie
    header = "session=" + cookie
    pieces = {"parse the Cookie header": median_us(lambda: parse_cookie(header))}
    own = baked.session_interface  # the framework's own cookie sessions, as the bake uses them
    serializer = own.get_signing_serializer(baked)
    pieces["open the signed session (the framework's own: new serializer, HMAC, zlib, JSON)"] = (
        median_us(lambda: own.get_signing_serializer(baked).loads(cookie)))
    id_token = serializer.loads(cookie)["logto.idToken"]
    from logto.OidcCore import OidcCore
    pieces["ID token claims, decoded by PyJWT (guide pattern)"] = median_us(
        lambda: OidcCore.decodeIdToken(id_token))
    pieces["ID token claims, read from the token's payload (baked)"] = median_us(
        lambda: logto_auth.decoded_id_token_claims(id_token))
    claims = dict(logto_auth.decoded_id_token_claims(id_token))
    context = dict(user=claims, user_name="Alice Example",  # csrf_token(): the global
                   userinfo=claims, userinfo_error=None)
    if framework == "Flask":
        from flask import render_template
        with baked.test_request_context("/profile"):
            pieces["render profile.html (extends base.html)"] = median_us(
                lambda: render_template("profile.html", **context))
    else:
        from quart import render_template
        async def render():
            async with baked.test_request_context("/profile"):
                start = time.perf_counter()
                for _ in range(requests):
                    await render_template("profile.html", **context)
                return (time.perf_counter() - start) / requests * 1e6
        pieces["render profile.html (extends base.html), mean"] = loop.run_until_complete(render())
print(json.dumps({"pages": results, "pieces": pieces}))
"""


def measure(project: Path, framework: str, requests: int) -> dict[str, dict[str, float]]:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(project), str(BENCH), framework, str(requests)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    if result.returncode != 0:
        raise SystemExit(f"error: measuring {framework} failed:\n{result.stderr[-3000:]}")
    measured: dict[str, dict[str, float]] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def report(results: dict[str, dict[str, dict[str, float]]], requests: int) -> str:
    lines = [
        "## Where a signed-in page's time goes (in-process, no server)",
        "",
        f"`python3 bench/page_costs.py --requests {requests} --write` — {machine()}.",
        "",
        "Each app is called directly (WSGI for Flask, ASGI for Quart) with a signed-in "
        "cookie, so these are the app's own costs without a server or a socket; medians of "
        f"{requests} calls. Cookie sessions (the default backend), userinfo cached.",
        "",
        "| Framework | Page | Per request | vs bare hello |",
        "| --- | --- | --- | --- |",
    ]
    for framework in FRAMEWORKS:
        pages = results[framework]["pages"]
        bare = pages["bare hello page `/`"]
        for label, value in pages.items():
            lines.append(f"| {framework} | {label} | {value:.0f} µs | {value - bare:+.0f} µs |")
    lines += ["", "| Framework | Piece of a signed-in page | Per call |", "| --- | --- | --- |"]
    for framework in FRAMEWORKS:
        for label, value in results[framework]["pieces"].items():
            lines.append(f"| {framework} | {label} | {value:.1f} µs |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        results = {
            framework: measure(
                bake(Path(scratch) / framework, framework, "cookie"), framework, options.requests
            )
            for framework in FRAMEWORKS
        }
    text = report(results, options.requests)
    print(text)
    if options.write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()

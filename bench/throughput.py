"""Signed-in throughput, IdP back-channel requests per sign-in, and the slow-JWKS stall of the
baked apps, against the Logto guide pattern and bare framework apps - one run, one machine.

1. Throughput: the default Flask and Quart bakes (cookie sessions) under their production servers as
   their README documents them (gunicorn, with uvicorn workers for Quart; `--workers` set to the
   same count for every contender, 1 by default, to compare per-core throughput), signed in once
   with an HTTP client, then `wrk -t1 -c10 -d10s -H 'Cookie: session=...' .../` on the signed-in
   home page. Contenders (bench/guide_app.py), all sent the same session: the guide pattern's home
   page (every view `async def` under `flask[async]`, the SDK client over `flask.session`), the
   bare page of the same framework that opens the same signed session (the fair limit: same
   SECRET_KEY, the framework's own cookie session), and bare hello pages (sync Flask, async
   Quart) for reference. Rounds interleave the contenders; the table shows medians.
2. Back-channel: a fresh worker per app; the IdP counts discovery / JWKS / token / userinfo
   requests at start-up, during a first and a second sign-in, and on /profile.
3. Slow-JWKS stall (Quart): Logto rotates its signing key and answers JWKS 500 ms late; while
   a sign-in's callback needs the new key, an unrelated `GET /` is timed.

The identity provider is the baked projects' own `tests/fake_logto.py` (Logto's endpoint
paths, real ES384-signed tokens), served in this process on 127.0.0.1; its key rotation is
added here. Everything runs on loopback.

Needs: `wrk` (`apt-get install -y wrk`), `flask[async]` (asgiref, for the guide pattern), and
the template's dev dependencies. About 5 minutes with the defaults.

Run: python3 bench/throughput.py [--rounds 3] [--duration 10] [--workers 1] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import importlib.metadata
import importlib.util
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402  (tests.support reports a failed start with pytest.fail)

from bench.report import cpu_name, write_section  # noqa: E402
from tests.support.baked_app import BakedApp, bake_app, production_command  # noqa: E402
from tests.support.processes import free_port, running_process  # noqa: E402

SECTION = "throughput"
WRK_HINT = "apt-get install -y wrk"
ASYNC_HINT = "python3 -m pip install 'flask[async]'"
APP_ID, APP_SECRET = "test-app", "test-secret"
FRAMEWORKS = ("Flask", "Quart")
IDP_PATHS = {
    "discovery": "/oidc/.well-known/openid-configuration",
    "jwks": "/oidc/jwks",
    "token": "/oidc/token",
    "userinfo": "/oidc/me",
}
JWKS_COOLDOWN_SECONDS = 31  # PyJWT refetches JWKS for an unknown `kid` at most every 30 s
#: The goals: baked ÷ guide pattern (Flask, Quart), baked ÷ the bare page reading the session.
GOAL_VS_GUIDE = {"Flask": 2.0, "Quart": 1.0}
GOAL_VS_BARE_SESSION, GOAL_STALL_MS = 0.85, 20.0
PAGE = "/"  # the signed-in home page
X = "\N{MULTIPLICATION SIGN}"

# Counts the responses that are not 200 (wrk itself only flags 4xx/5xx, not a 302 to sign-in).
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_ok") end
  io.write(string.format("not-200: %d\\n", total))
end
"""

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class BenchError(Exception):
    """A step failed; the message is one line."""


# -- the identity provider ---------------------------------------------------------------------


def load_fake_logto(project: Path) -> type:
    """The baked projects' FakeLogto, with signing-key rotation and a JWKS-request signal."""
    import importlib.util

    # By file: `tests` here is the template's own test package, not the bake's.
    spec = importlib.util.spec_from_file_location(
        "baked_fake_logto", project / "tests" / "fake_logto.py"
    )
    assert spec and spec.loader
    baked = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = baked  # dataclasses look their module up while defining
    spec.loader.exec_module(baked)
    FakeLogto = baked.FakeLogto

    class BenchLogto(FakeLogto):  # rotate_key() is the fake's own
        def __init__(self) -> None:
            super().__init__(client_id=APP_ID, client_secret=APP_SECRET)
            self.jwks_requested = threading.Event()

        def _respond(self, method: str, target: str, authorization: str | None, body: bytes):
            if target.split("?")[0] == IDP_PATHS["jwks"]:
                self.jwks_requested.set()  # before the (delayed) answer
            return super()._respond(method, target, authorization, body)

        def counts(self) -> dict[str, int]:
            return {name: self.request_count(path) for name, path in IDP_PATHS.items()}

    return BenchLogto


def counts_between(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}


def describe_counts(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "0"
    return f"{total} ({', '.join(f'{name} {n}' for name, n in counts.items())})"


# -- the servers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    key: str
    framework: str
    kind: str  # baked | guide | bare-session | bare
    command: Callable[[int], list[str]]
    cwd: Path
    path: str  # the page under load

    @property
    def server(self) -> str:
        return "gunicorn" if self.framework == "Flask" else "gunicorn (uvicorn workers)"

    @property
    def label(self) -> str:
        return {
            "baked": "baked app (this template)",
            "guide": "Logto guide pattern" + (" (Quart port)" if self.framework == "Quart" else ""),
            "bare-session": "bare page opening the same session",
            "bare": "bare hello page" + (" (sync)" if self.framework == "Flask" else " (async)"),
        }[self.kind]


#: The worker class of each framework's production command (the baked README's).
WORKER_CLASS = {"Flask": [], "Quart": ["--worker-class", "uvicorn_worker.UvicornWorker"]}


def server_args(framework: str, port: int, workers: int, target: str) -> list[str]:
    binary = str(Path(sys.executable).parent / "gunicorn")
    return [
        binary,
        "--no-control-socket",  # gunicorn 27's control socket fails in sandboxes
        *WORKER_CLASS[framework],
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        target,
    ]


def baked_command(app: BakedApp, workers: int) -> Callable[[int], list[str]]:
    def command(port: int) -> list[str]:
        args = production_command(app, port)  # the README's line, bound to 127.0.0.1:port
        if "--workers" in args:
            args[args.index("--workers") + 1] = str(workers)
        else:
            args[1:1] = ["--workers", str(workers)]
        return args

    return command


def factory_command(framework: str, target: str, workers: int) -> Callable[[int], list[str]]:
    return lambda port: server_args(framework, port, workers, target)


def contenders(apps: dict[str, BakedApp], workers: int) -> list[Contender]:
    found = []
    for framework in FRAMEWORKS:
        name = framework.lower()
        app = apps[framework]
        guide = factory_command(framework, f"guide_app:guide_{name}()", workers)
        session = factory_command(framework, f"guide_app:bare_session_{name}()", workers)
        bare = factory_command(framework, f"guide_app:bare_{name}()", workers)
        baked = baked_command(app, workers)
        found += [
            Contender(f"{name}-baked", framework, "baked", baked, app.project, PAGE),
            Contender(f"{name}-guide", framework, "guide", guide, BENCH, PAGE),
            Contender(f"{name}-bare-session", framework, "bare-session", session, BENCH, PAGE),
            Contender(f"{name}-bare", framework, "bare", bare, BENCH, PAGE),
        ]
    return found


@dataclass
class Running:
    contender: Contender
    url: str
    pid: int  # the server's process group: its master and workers
    started_at: float
    cookie: str = ""


@contextlib.contextmanager
def serving(
    contender: Contender, idp: Any, log_dir: Path, tag: str, secret_key: str = ""
) -> Iterator[Running]:
    """`contender` on a free port; every server of a run shares `secret_key`, so the bare page
    can open the baked app's session cookie."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LOGTO_ENDPOINT": idp.endpoint,
        "LOGTO_APP_ID": APP_ID,
        "LOGTO_APP_SECRET": APP_SECRET,
        "APP_BASE_URL": url,
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
    }
    with running_process(
        contender.command(port),
        cwd=contender.cwd,
        env=env,
        log_path=log_dir / f"{contender.key}-{tag}-{port}.log",
        ready_url=f"{url}/",
        timeout=60,
    ) as process:
        yield Running(contender, url, process.pid, time.monotonic())


# -- a browser-less user -----------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class User:
    """Plain HTTP with its own cookie jar; redirects are returned, not followed."""

    base_url: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirect(),
        )

    def get(self, url: str) -> tuple[int, Any, str]:
        if url.startswith("/"):
            url = self.base_url + url
        try:
            with self._opener.open(url, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read().decode()

    def start_sign_in(self, idp: Any) -> str:
        """GET /sign-in and play the user at the IdP; return the callback URL."""
        status, headers, body = self.get("/sign-in")
        if status != 302:
            raise BenchError(f"{self.base_url}/sign-in answered {status}: {body[:200]!r}")
        return idp.authorize(headers["Location"])

    def finish_sign_in(self, callback_url: str) -> None:
        status, _, body = self.get(callback_url)
        if status != 302:
            raise BenchError(f"{self.base_url}/callback answered {status}: {body[:300]!r}")

    def sign_in(self, idp: Any) -> None:
        self.finish_sign_in(self.start_sign_in(idp))

    def cookie(self, name: str = "session") -> str:
        for cookie in self.jar:
            if cookie.name == name and cookie.value:
                return cookie.value
        raise BenchError(f"{self.base_url} set no {name} cookie")


def profile_ok(url: str, cookie: str) -> None:
    request = urllib.request.Request(f"{url}/profile", headers={"Cookie": f"session={cookie}"})
    try:
        with _OPENER.open(request, timeout=30) as response:
            body = response.read().decode()
    except urllib.error.HTTPError as error:
        raise BenchError(f"{url}/profile answered {error.code} with the bench cookie") from None
    if "Alice Example" not in body:
        raise BenchError(f"{url}/profile does not show the signed-in user")


#: What each signed-in page under load shows for the bench cookie (a signed-out page is cheaper).
SIGNED_IN_PAGE = {"baked": "Alice Example", "guide": "Authenticated", "bare-session": "signed-in"}


def guide_cookie(baked_cookie: str, secret_key: str) -> str:
    """The baked session as the guide pattern's storage names it (its keys without the
    `logto.` prefix), signed with the run's shared key: the same sign-in, a cookie of the same
    size (the guide's own would lack the userinfo and CSRF token, and open faster)."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    app = Flask(__name__, root_path=str(BENCH))
    app.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    session = serializer.loads(baked_cookie)
    return serializer.dumps({key.removeprefix("logto."): value for key, value in session.items()})


def page_signed_in(running: Running) -> None:
    """The page under load shows the signed-in user for the cookie wrk sends."""
    expected = SIGNED_IN_PAGE.get(running.contender.kind)
    if expected is None:
        return
    url = f"{running.url}{running.contender.path}"
    request = urllib.request.Request(url, headers={"Cookie": f"session={running.cookie}"})
    with _OPENER.open(request, timeout=30) as response:
        body = response.read().decode()
    if expected not in body:
        raise BenchError(f"{url} does not show a signed-in page for the bench cookie")


def timed_get(url: str) -> float:
    start = time.perf_counter()
    with _OPENER.open(url, timeout=30) as response:
        response.read()
    return time.perf_counter() - start


# -- 1. throughput -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    rate: float  # requests/s, as wrk measured them
    cpu_ms: float  # CPU time the server (all its processes) spent per request


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of every live process in process group `pgid`."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is field 3, "state"
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_wrk(script: Path, running: Running, seconds: float, connections: int) -> Load:
    url = f"{running.url}{running.contender.path}"
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "-s", str(script)]
    if running.cookie:
        args += ["-H", f"Cookie: session={running.cookie}"]
    cpu_before = group_cpu_seconds(running.pid)
    result = subprocess.run(
        [*args, url], capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    cpu = group_cpu_seconds(running.pid) - cpu_before
    rate = re.search(r"Requests/sec:\s*([\d.]+)", result.stdout)
    requests = re.search(r"(\d+) requests in", result.stdout)
    not_ok = re.search(r"not-200: (\d+)", result.stdout)
    if result.returncode != 0 or not rate or not requests or not not_ok:
        raise BenchError(f"wrk against {url} failed: {result.stderr.strip() or result.stdout}")
    if int(not_ok.group(1)):
        raise BenchError(f"{url}: {not_ok.group(1)} responses were not 200 under wrk")
    errors = re.search(r"Socket errors: (.*)", result.stdout)
    if errors and re.search(r"(connect|timeout) [1-9]", errors.group(1)):
        raise BenchError(f"wrk against {url}: socket errors: {errors.group(1)}")
    return Load(float(rate.group(1)), cpu * 1000 / max(int(requests.group(1)), 1))


# -- 2. back-channel requests per sign-in ------------------------------------------------------


@dataclass
class BackChannel:
    startup: dict[str, int]
    first_sign_in: dict[str, int]
    second_sign_in: dict[str, int]
    first_profile: dict[str, int]
    later_profiles: dict[str, int]


PROFILE_REPEATS = 20


def count_back_channel(contender: Contender, idp: Any, log_dir: Path) -> BackChannel:
    before = idp.counts()
    with serving(contender, idp, log_dir, "count") as running:
        started = idp.counts()
        alice, bob = User(running.url), User(running.url)
        alice.sign_in(idp)
        after_first = idp.counts()
        alice.get("/profile")
        after_profile = idp.counts()
        bob.sign_in(idp)
        after_second = idp.counts()
        for _ in range(PROFILE_REPEATS):
            status, _, _ = alice.get("/profile")
            if status != 200:
                raise BenchError(f"{contender.key}: /profile answered {status} after sign-in")
        after_all = idp.counts()
    return BackChannel(
        startup=counts_between(before, started),
        first_sign_in=counts_between(started, after_first),
        first_profile=counts_between(after_first, after_profile),
        second_sign_in=counts_between(after_profile, after_second),
        later_profiles=counts_between(after_second, after_all),
    )


# -- 3. the slow-JWKS stall --------------------------------------------------------------------


@dataclass
class Stall:
    unrelated_ms: float  # GET / issued while the callback waits for JWKS
    callback_ms: float


def stall_sample(running: Running, idp: Any, delay: float) -> Stall:
    """Sign a new user in while JWKS answers `delay` s late; time an unrelated GET / issued as
    soon as the app's JWKS request reaches the IdP."""
    user = User(running.url)
    callback_url = user.start_sign_in(idp)
    idp.jwks_requested.clear()
    idp.jwks_delay = delay
    outcome: dict[str, Any] = {}

    def finish() -> None:
        start = time.perf_counter()
        try:
            user.finish_sign_in(callback_url)
        except BenchError as error:
            outcome["error"] = error
        outcome["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=finish)
    thread.start()
    try:
        if not idp.jwks_requested.wait(10):
            raise BenchError(f"{running.contender.key}: the sign-in did not fetch JWKS")
        unrelated = timed_get(f"{running.url}/")
    finally:
        thread.join()
        idp.jwks_delay = 0.0
    if "error" in outcome:
        raise outcome["error"]
    return Stall(unrelated * 1000, outcome["seconds"] * 1000)


def wait_for_jwks_cooldown(*last_fetches: float) -> None:
    remaining = JWKS_COOLDOWN_SECONDS - (time.monotonic() - max(last_fetches))
    if remaining > 0:
        time.sleep(remaining)


# -- the run -----------------------------------------------------------------------------------


def bake(out: Path, framework: str) -> tuple[BakedApp, float]:
    """The default project of `framework`; the hooks' output (fd 1) is discarded."""
    sys.stdout.flush()
    saved = os.dup(1)
    start = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            app = bake_app(
                out,
                framework=framework,
                port=3000,  # APP_BASE_URL is set per server below
                logto_endpoint="http://127.0.0.1:3001",  # likewise LOGTO_ENDPOINT
                app_id=APP_ID,
                app_secret=APP_SECRET,
            )
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    return app, time.perf_counter() - start


def check_requirements() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit(f"error: wrk not found: {WRK_HINT}")
    if importlib.util.find_spec("asgiref") is None:
        raise SystemExit(f"error: the guide pattern's async Flask views need asgiref: {ASYNC_HINT}")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved wrk rounds")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=10, help="wrk -c")
    parser.add_argument("--workers", type=int, default=1, help="server workers, every contender")
    parser.add_argument("--stall-samples", type=int, default=5)
    parser.add_argument("--jwks-delay", type=float, default=0.5, help="seconds, in the stall")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    options = parser.parse_args()
    check_requirements()
    try:
        report = run(options)
    except BenchError as error:
        raise SystemExit(f"error: {error}") from None
    except pytest.fail.Exception as error:  # a server did not start (with its log's tail)
        raise SystemExit(f"error: {error}") from None
    print(report)
    if options.write:
        write_section(SECTION, report)


def run(options: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as scratch:
        base = Path(scratch)
        logs = base / "logs"
        apps, bake_seconds = {}, {}
        for framework in FRAMEWORKS:
            apps[framework], bake_seconds[framework] = bake(base / framework, framework)
        BenchLogto = load_fake_logto(apps["Flask"].project)
        all_contenders = contenders(apps, options.workers)
        signing_in = [c for c in all_contenders if c.kind in ("baked", "guide")]
        secret_key = secrets.token_urlsafe(48)  # one for every server: the same cookie opens
        by_key = {c.key: c for c in all_contenders}

        with BenchLogto() as idp:
            log("back-channel: a fresh worker per app, counting IdP requests")
            back_channel = {c.key: count_back_channel(c, idp, logs) for c in signing_in}

            with contextlib.ExitStack() as stack:
                log("starting the servers")
                servers = [
                    stack.enter_context(serving(c, idp, logs, "wrk", secret_key))
                    for c in all_contenders
                ]
                cookies: dict[str, str] = {}
                for running in servers:  # the baked app signs in, as a browser would
                    if running.contender.kind != "baked":
                        continue
                    user = User(running.url)
                    user.sign_in(idp)
                    user.get("/profile")  # the baked app fetches and caches userinfo here
                    running.cookie = cookies[running.contender.framework] = user.cookie()
                    profile_ok(running.url, running.cookie)
                for running in servers:  # the others: the same session, the same size
                    baked_cookie = cookies[running.contender.framework]
                    running.cookie = running.cookie or (
                        guide_cookie(baked_cookie, secret_key)
                        if running.contender.kind == "guide"
                        else baked_cookie
                    )
                    page_signed_in(running)
                stall_apps = {
                    kind: stack.enter_context(serving(by_key[f"quart-{kind}"], idp, logs, "stall"))
                    for kind in ("baked", "guide")
                }
                idle = {
                    kind: statistics.median(timed_get(f"{running.url}/") * 1000 for _ in range(20))
                    for kind, running in stall_apps.items()
                }
                log("stall: the guide app's cold first sign-in with JWKS late")
                cold_guide = stall_sample(stall_apps["guide"], idp, options.jwks_delay)
                last_fetch = {"baked": stall_apps["baked"].started_at, "guide": time.monotonic()}
                stalls: dict[str, list[Stall]] = {"baked": [], "guide": []}

                def stall_round() -> None:
                    wait_for_jwks_cooldown(*last_fetch.values())
                    idp.rotate_key()
                    for kind, running in stall_apps.items():
                        stalls[kind].append(stall_sample(running, idp, options.jwks_delay))
                        last_fetch[kind] = time.monotonic()

                with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=base) as script:
                    script.write(WRK_SCRIPT)
                    script.flush()
                    lua = Path(script.name)
                    for running in servers:  # warm-up, not recorded
                        run_wrk(lua, running, 2, options.connections)
                    loads: dict[str, list[Load]] = {c.key: [] for c in all_contenders}
                    for round_index in range(options.rounds):
                        shift = round_index % len(servers)
                        for running in servers[shift:] + servers[:shift]:
                            load = run_wrk(lua, running, options.duration, options.connections)
                            loads[running.contender.key].append(load)
                            log(
                                f"round {round_index + 1}: {running.contender.key} "
                                f"{load.rate:.0f}/s, {load.cpu_ms:.2f} ms CPU per request"
                            )
                        if len(stalls["baked"]) < options.stall_samples:
                            log("stall: key rotated, JWKS late")
                            stall_round()
                for running in servers:  # the cookie still signs the user in
                    page_signed_in(running)
                while len(stalls["baked"]) < options.stall_samples:
                    log("stall: key rotated, JWKS late (waiting out PyJWT's 30 s cooldown)")
                    stall_round()

    return render(
        options, all_contenders, loads, back_channel, stalls, cold_guide, idle, bake_seconds
    )


# -- the report --------------------------------------------------------------------------------


def render(
    options: argparse.Namespace,
    all_contenders: list[Contender],
    loads: dict[str, list[Load]],
    back_channel: dict[str, BackChannel],
    stalls: dict[str, list[Stall]],
    cold_guide: Stall,
    idle: dict[str, float],
    bake_seconds: dict[str, float],
) -> str:
    rate = {key: statistics.median(load.rate for load in runs) for key, runs in loads.items()}
    cpu = {key: statistics.median(load.cpu_ms for load in runs) for key, runs in loads.items()}
    ratio, cpu_ratio = {}, {}
    for contender in all_contenders:
        baked = f"{contender.framework.lower()}-baked"
        ratio[contender.key] = rate[baked] / rate[contender.key]
        cpu_ratio[contender.key] = cpu[contender.key] / cpu[baked]
    defaults = {"rounds": 3, "duration": 10, "connections": 10, "workers": 1}
    defaults |= {"stall_samples": 5, "jwks_delay": 0.5}
    command = "python3 bench/throughput.py" + "".join(
        f" --{name.replace('_', '-')} {getattr(options, name):g}"
        for name, default in defaults.items()
        if getattr(options, name) != default
    )
    wrk = f"wrk -t1 -c{options.connections} -d{options.duration:g}s"
    lines = [
        "## Throughput, IdP back-channel and the slow-JWKS stall",
        "",
        f"`{command} --write` — {machine()}.",
        "",
        f"Every server runs on 127.0.0.1 with **{options.workers} worker"
        f"{'s' if options.workers != 1 else ''}** (gunicorn's sync worker for Flask, uvicorn's "
        "worker for Quart), the baked apps with the command of their README (which "
        "documents 2 workers; every contender gets the same count here). The IdP is the baked "
        "projects' `tests/fake_logto.py`, in the bench process. Load: "
        f"`{wrk} -H 'Cookie: session=…'` on the signed-in home page `{PAGE}`, with the cookie "
        "of one user signed in to the baked app (taken after a first `GET /profile` cached "
        "userinfo). Every server shares one SECRET_KEY, so every contender gets that session: "
        "the bare pages the very cookie (the page opening the session reads it, the hello page "
        "does not), the guide pattern the same session under its storage's key names, re-signed "
        "(a cookie of the same size). Every page under load is checked to show a signed-in "
        "user, and every response to be 200. The guide pattern and the bare pages are "
        "`bench/guide_app.py`. "
        f"{options.rounds} interleaved rounds; medians.",
        "",
        "### Signed-in requests per second",
        "",
        "Requests/s is what wrk measured. Server CPU per request is the CPU time of the server's "
        "processes during the run divided by the requests: it does not depend on what else "
        "the machine is running, so its ratio is the steadier comparison on a busy machine.",
        "",
        "| Framework | App | Page | Requests/s | Rounds | Baked ÷ this | "
        "Server CPU per request | Baked ÷ this, by CPU |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for contender in all_contenders:
        key = contender.key
        share = "—" if contender.kind == "baked" else f"{ratio[key]:.2f}{X}"
        cpu_share = "—" if contender.kind == "baked" else f"{cpu_ratio[key]:.2f}{X}"
        rounds = " / ".join(f"{load.rate:.0f}" for load in loads[key])
        lines.append(
            f"| {contender.framework} ({contender.server}) | {contender.label} | "
            f"`{contender.path}` | {rate[key]:.0f} | {rounds} | {share} | "
            f"{cpu[key]:.3f} ms | {cpu_share} |"
        )
    names = [framework.lower() for framework in FRAMEWORKS]
    added = {name: cpu[f"{name}-baked"] - cpu[f"{name}-bare-session"] for name in names}
    allowed = {name: cpu[f"{name}-bare-session"] * (1 / GOAL_VS_BARE_SESSION - 1) for name in names}
    session_cost = {name: cpu[f"{name}-bare-session"] - cpu[f"{name}-bare"] for name in names}
    lines += [
        "",
        "Where the time goes, in server CPU per request: a hello page costs "
        + " / ".join(f"{cpu[f'{name}-bare'] * 1000:.0f} µs" for name in names)
        + " (Flask / Quart: the server, the framework's request and response); opening the "
        "signed session cookie with the framework's own interface (a new serializer, the "
        "HMAC, zlib, JSON) adds "
        + " / ".join(f"{session_cost[name] * 1000:.0f} µs" for name in names)
        + "; the baked home page then adds "
        + " / ".join(f"{added[name] * 1000:+.0f} µs" for name in names)
        + " over that bare page (the goal allows "
        + " / ".join(f"{allowed[name] * 1000:.0f} µs" for name in names)
        + "). The baked page does more - the sign-in check (the ID token's claims, decoded "
        "once per token), the CSRF token, the security headers, a page of HTML - and pays "
        "less for the rest: it checks a cookie value in full once and then only its age "
        "(`sessions/signing.py`), and renders a page that shows only who is signed in once "
        "per sign-in (`web/rendered_pages.py`). A session's first request, and the first "
        "after its cookie changes (a renewal), pays the full check and the render: see "
        "[in-process figures](#where-a-signed-in-pages-time-goes-in-process-no-server). "
        "The guide pattern's home page does what the bare page does (open the session, look "
        "up one key, return a line of text) under `flask[async]`'s event loop per request "
        "for Flask, and as a native coroutine for Quart.",
    ]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    def goal_row(goal: str, key: str, target: float) -> str:
        return (
            f"| {goal.format(goal=f'{target:g}{X}')} (requests/s) | {ratio[key]:.2f}{X} "
            f"(by CPU {cpu_ratio[key]:.2f}{X}) | {verdict(ratio[key] >= target)} |"
        )

    stall_median = {
        kind: statistics.median(s.unrelated_ms for s in stalls[kind]) for kind in stalls
    }
    worst_sign_in = max(
        sum(back_channel[key].first_sign_in.values()) for key in ("flask-baked", "quart-baked")
    )
    later_sign_in = max(
        sum(back_channel[key].second_sign_in.values()) for key in ("flask-baked", "quart-baked")
    )
    lines += [
        "",
        "### Goals",
        "",
        "| Goal | Measured | |",
        "| --- | --- | --- |",
        goal_row(
            "Flask: baked ≥ {goal} the page opening the same session",
            "flask-bare-session",
            GOAL_VS_BARE_SESSION,
        ),
        goal_row(
            "Quart: baked ≥ {goal} the page opening the same session",
            "quart-bare-session",
            GOAL_VS_BARE_SESSION,
        ),
        goal_row("Flask: baked ≥ {goal} the guide pattern", "flask-guide", GOAL_VS_GUIDE["Flask"]),
        goal_row("Quart: baked ≥ {goal} the guide pattern", "quart-guide", GOAL_VS_GUIDE["Quart"]),
        "| IdP back-channel requests per sign-in, a worker's first included: 1 (the token "
        f"request) | first {worst_sign_in}, later {later_sign_in} | "
        f"{verdict(worst_sign_in == 1 and later_sign_in == 1)} |",
        f"| Quart, JWKS {options.jwks_delay * 1000:.0f} ms late: an unrelated request answers in "
        f"≤ {GOAL_STALL_MS:.0f} ms | {stall_median['baked']:.1f} ms (guide pattern: "
        f"{stall_median['guide']:.0f} ms) | {verdict(stall_median['baked'] <= GOAL_STALL_MS)} |",
        "",
        "### IdP back-channel requests",
        "",
        "A fresh worker per app; the IdP counts what the app asks it (the user's own visits to "
        'the sign-in page are not back-channel). "Later /profile" is '
        f"{PROFILE_REPEATS} more signed-in pages.",
        "",
        "| App | Worker start-up | 1st sign-in | 1st `/profile` | 2nd sign-in | Later `/profile` |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for contender in all_contenders:
        if contender.key not in back_channel:
            continue
        counted = back_channel[contender.key]
        cells = [
            counted.startup,
            counted.first_sign_in,
            counted.first_profile,
            counted.second_sign_in,
            counted.later_profiles,
        ]
        lines.append(
            f"| {contender.framework}: {contender.label} | "
            + " | ".join(describe_counts(cell) for cell in cells)
            + " |"
        )
    lines += [
        "",
        "The baked apps fetch discovery and JWKS when a worker starts, before it serves, so "
        "every sign-in - a worker's first too - costs the token request only; userinfo is "
        "fetched once, on the first `/profile` after a sign-in, and kept in the session. The "
        "guide pattern fetches discovery and JWKS during its first sign-in.",
        "",
        "### Slow JWKS: an unrelated request during a sign-in (Quart, uvicorn workers)",
        "",
        "The IdP rotates its signing key (a new `kid`, published with the old one) and answers "
        f"JWKS {options.jwks_delay * 1000:.0f} ms late; a user's callback then needs the new "
        "key. As soon as the app's JWKS request reaches the IdP, another client times "
        "`GET /`. PyJWT refetches for an unknown `kid` at most every 30 s, so samples are "
        "spaced by that (overlapping the throughput rounds).",
        "",
        "| App | Trigger | Unrelated `GET /`, median | Samples | The callback itself |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind, label in (("baked", "baked app"), ("guide", "guide pattern (Quart port)")):
        samples = stalls[kind]
        lines.append(
            f"| {label} | key rotated | {stall_median[kind]:.1f} ms | "
            + ", ".join(f"{s.unrelated_ms:.1f}" for s in samples)
            + f" | {statistics.median(s.callback_ms for s in samples):.0f} ms |"
        )
    lines += [
        f"| guide pattern (Quart port) | a cold worker's first sign-in | "
        f"{cold_guide.unrelated_ms:.1f} ms | 1 | {cold_guide.callback_ms:.0f} ms |",
        "| baked app | a cold worker's first sign-in | no JWKS request (fetched before "
        "serving) | — | — |",
        "",
        f"Idle `GET /` for comparison: baked {idle['baked']:.1f} ms, guide pattern "
        f"{idle['guide']:.1f} ms. The SDK verifies the ID token with PyJWT's `PyJWKClient`, "
        "which fetches JWKS with blocking urllib: in the guide pattern that runs on the event "
        "loop and every request of the worker waits for it; the baked app resolves the key in "
        "a thread (`asyncio.to_thread`) first, so the loop keeps serving.",
        "",
        "### Bake time, test-suite time",
        "",
        "See [Bake and test-suite times](#bake-and-test-suite-times) "
        "(`bench/template_timings.py`). This run's two in-process bakes took "
        + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in bake_seconds.items())
        + ".",
    ]
    return "\n".join(lines)


def machine() -> str:
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    wrk_version = (wrk.stdout + wrk.stderr).split()[1] if wrk.stdout + wrk.stderr else "?"
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("flask", "quart", "gunicorn", "uvicorn", "logto")
    )
    return (
        f"{cpu_name()}, {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}, {versions}, wrk {wrk_version}"
    )


if __name__ == "__main__":
    main()

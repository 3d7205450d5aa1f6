"""Signed-in throughput across many sessions, IdP back-channel requests per sign-in, and the
slow-JWKS stall of the baked apps - one run, one machine.

1. Throughput: the default Flask bake and the default bake with Quart, and with FastAPI,
   instead (cookie sessions) under their README's production command (gunicorn; with uvicorn
   workers for Quart and FastAPI), `--workers` the same for every contender (1 by default:
   per-core throughput). `--sessions` (5,000) sessions of distinct users per bake, ID tokens
   outliving the run: `--signed-in` (500) users sign in through the bake's own /sign-in -> IdP
   -> /callback flow and load its home page once (as a browser does; the page keeps the
   session's CSRF token in the cookie); the rest are made in the layout those sign-ins wrote
   (an ID token signed by the IdP for a user of its own, new values where two real sessions
   differ; FastAPI's bake writes Flask's cookie format, so Flask's serializer signs them). wrk
   then loads the signed-in home page `/` with a Lua script that cycles through those cookies:
   each request a different session, in turn. The bake is compared with a control, the
   framework itself (bench/control_app.py): plain Flask / Quart opening the same cookie with
   its own SecureCookieSessionInterface (plain FastAPI: with a minimal ASGI middleware in that
   format) and rendering the bake's own templates with the same context; its HTML is checked
   equal to the bake's for a sample of sessions (the CSRF token's value aside) before anything
   is measured. The Logto guide pattern (Flask's guide and its Quart port; Logto has no FastAPI
   guide) and a hello page (bench/guide_app.py) are references, with no goal. Rounds interleave
   the contenders; the report gives medians, the workers' CPU time per request
   (/proc/<pid>/stat), each worker's peak RSS, and every answer that was not a signed-in 200.
2. Back-channel: a fresh worker per app; the IdP counts discovery / JWKS / token / userinfo
   requests at start-up, during a first and a second sign-in, and on /profile.
3. Slow-JWKS stall (Quart and FastAPI, and Quart's guide pattern): Logto rotates its signing
   key and answers JWKS 500 ms late; while a sign-in's callback needs the new key, an
   unrelated `GET /` is timed.

The identity provider is the baked projects' own `tests/fake_logto.py` (Logto's endpoint
paths, real ES384-signed tokens), served in this process on 127.0.0.1; its key rotation is
added here. Everything runs on loopback.

Needs: `wrk` (`apt-get install -y wrk`), `flask[async]` (asgiref, for the guide pattern), and
the template's dev dependencies (FastAPI among them). About 8 minutes with the defaults.

Run: python3 bench/throughput.py [--sessions 5000] [--signed-in 500] [--rounds 3]
                                 [--duration 10] [--workers 1] [--write]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import http.cookiejar
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import jwt

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
FRAMEWORKS = ("Flask", "Quart", "FastAPI")
#: The frameworks that have a Logto guide pattern (bench/guide_app.py): Logto's Flask guide,
#: and its Quart port (the same code). Logto has no FastAPI guide, and a port would be ours.
GUIDES = ("Flask", "Quart")
#: The bakes whose sign-in callback is timed while JWKS answers late (the async ones; Quart's
#: guide pattern beside its bake).
STALL_FRAMEWORKS = ("Quart", "FastAPI")
PROJECT_NAME = json.loads((ROOT / "cookiecutter.json").read_text())["project_name"]
IDP_PATHS = {
    "discovery": "/oidc/.well-known/openid-configuration",
    "jwks": "/oidc/jwks",
    "token": "/oidc/token",
    "userinfo": "/oidc/me",
}
JWKS_COOLDOWN_SECONDS = 31  # PyJWT refetches JWKS for an unknown `kid` at most every 30 s
ID_TOKEN_TTL_SECONDS = 6 * 3600  # no renewal during the run
#: The goals: bake ÷ control (requests/s), a worker's peak RSS, the stall.
GOAL_VS_CONTROL, GOAL_RSS_MB, GOAL_STALL_MS = 0.95, 150, 20.0
MIN_SESSIONS = 5000  # more sessions than any per-process cache of the bake holds
BUSY_SHARE = 0.1  # other processes' share of the CPU above which a run is called busy
SIGNED_IN = 500  # of those, signed in through the bake's flow (~12 ms of CPU each)
PAGE = "/"  # the signed-in home page
#: What a signed-in answer of each kind of contender holds (the hello page reads no session).
SIGNED_IN_MARKER = {
    "baked": 'data-testid="user-name"',
    "control": 'data-testid="user-name"',
    "plain": 'data-testid="user-name"',
    "guide": "Sign out",
    "hello": "",
}
#: The one value that may differ between the bake's and the control's HTML: per session, and
#: with some CSRF libraries per request (a signed, timestamped token).
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*?value=")[^"]*(")')
X = "\N{MULTIPLICATION SIGN}"

# Cycles through the session cookies in the file given after `--` (one a line), each request
# the next one; counts the answers that are not 200 (wrk itself flags only 4xx/5xx, not a 302
# to sign-in) and the 200s that lack the signed-in marker (the second argument).
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  not_ok, signed_out, marker, index, requests = 0, 0, args[2] or "", 0, {}
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format(nil, nil, {["Cookie"] = "session=" .. line})
  end
  if #requests == 0 then requests[1] = wrk.format() end
end
function request()
  index = index % #requests + 1
  return requests[index]
end
function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  elseif marker ~= "" and not string.find(body, marker, 1, true) then
    signed_out = signed_out + 1
  end
end
function done(summary, latency, requests)
  local bad, out = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
    out = out + thread:get("signed_out")
  end
  io.write(string.format("not-200: %d\\nsigned-out: %d\\n", bad, out))
end
"""

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class BenchError(Exception):
    """A step failed; the message is one line."""


# -- the identity provider ---------------------------------------------------------------------


def load_fake_logto(project: Path) -> tuple[type, ModuleType]:
    """The baked projects' FakeLogto, with signing-key rotation and a JWKS-request signal, and
    its module (for FakeUser)."""
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

    return BenchLogto, baked


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
    kind: str  # baked | control | guide | hello
    command: Callable[[int], list[str]]
    cwd: Path
    env: tuple[tuple[str, str], ...] = ()  # added to the server's environment
    ready_path: str = PAGE  # answers below 500 once the server is up

    @property
    def server(self) -> str:
        return "gunicorn" if self.framework == "Flask" else "gunicorn, uvicorn workers"

    @property
    def reference(self) -> bool:
        return self.kind in ("guide", "hello", "plain")

    @property
    def label(self) -> str:
        return {
            "baked": "baked app (this template)",
            "control": f"control: plain {self.framework}, the bake's templates",
            "plain": "the control as Quart ships it (a thread per render)",
            "guide": "Logto guide pattern" + (" (Quart port)" if self.framework == "Quart" else ""),
            "hello": "hello page" + (" (sync)" if self.framework == "Flask" else " (async)"),
        }[self.kind]


#: The worker class of each framework's production command (the cookie bakes' README's: Flask
#: in gunicorn's threaded worker, 8 threads, since one process serves cookie sessions).
WORKER_CLASS = {
    "Flask": ["--worker-class", "gthread", "--threads", "8"],
    "Quart": ["--worker-class", "uvicorn_worker.UvicornWorker"],
    "FastAPI": ["--worker-class", "uvicorn_worker.UvicornWorker"],
}


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


def bake_folders(app: BakedApp) -> tuple[tuple[str, str], ...]:
    """The control's environment: the bake's templates (the app's own folder, which holds
    home.html, and the sign-in machinery's, which a blueprint serves), its static folder and
    its name."""
    homes = sorted((app.project / app.package).glob("**/templates/home.html"))
    if len(homes) != 1:
        raise BenchError(f"{app.project}: expected one templates/home.html, found {len(homes)}")
    templates = homes[0].parent
    others = sorted(
        str(folder)
        for folder in app.project.glob("*/**/templates")
        if folder.is_dir() and folder != templates and "tests" not in folder.parts
    )
    return (
        ("CONTROL_TEMPLATES", str(templates)),
        ("CONTROL_BLUEPRINT_TEMPLATES", os.pathsep.join(others)),
        ("CONTROL_STATIC", str(templates.parent / "static")),
        ("CONTROL_PROJECT_NAME", PROJECT_NAME),
    )


def contenders(apps: dict[str, BakedApp], workers: int) -> list[Contender]:
    found = []
    for framework in FRAMEWORKS:
        name = framework.lower()
        app = apps[framework]
        control = factory_command(framework, f"control_app:control_{name}()", workers)
        hello = factory_command(framework, f"guide_app:bare_{name}()", workers)
        baked = baked_command(app, workers)
        found += [
            Contender(f"{name}-baked", framework, "baked", baked, app.project),
            Contender(
                f"{name}-control",
                framework,
                "control",
                control,
                BENCH,
                bake_folders(app),
                ready_path="/healthz",  # a stub: a home page it cannot render fails the check
            ),
        ]
        if framework in GUIDES:
            guide = factory_command(framework, f"guide_app:guide_{name}()", workers)
            found.append(Contender(f"{name}-guide", framework, "guide", guide, BENCH))
        found.append(Contender(f"{name}-hello", framework, "hello", hello, BENCH))
        if framework == "Quart":  # see control_app.control_quart
            plain = factory_command(framework, "control_app:plain_quart()", workers)
            found.append(
                Contender(
                    "quart-plain",
                    framework,
                    "plain",
                    plain,
                    BENCH,
                    bake_folders(app),
                    ready_path="/healthz",
                )
            )
    return found


@dataclass
class Running:
    contender: Contender
    url: str
    pid: int  # the server's master process (and process group)
    started_at: float
    log_path: Path
    cookie_file: Path | None = None  # the sessions wrk cycles through

    def last_log_line(self) -> str:
        lines = self.log_path.read_text(errors="replace").strip().splitlines()
        return lines[-1].strip() if lines else "(nothing logged)"


@contextlib.contextmanager
def serving(
    contender: Contender, idp: Any, log_dir: Path, tag: str, secret_key: str = ""
) -> Iterator[Running]:
    """`contender` on a free port; every server of a run shares `secret_key`, so the control
    and the references open the baked app's session cookies."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LOGTO_ENDPOINT": idp.endpoint,
        "LOGTO_APP_ID": APP_ID,
        "LOGTO_APP_SECRET": APP_SECRET,
        "APP_BASE_URL": url,
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
        **dict(contender.env),
    }
    log_path = log_dir / f"{contender.key}-{tag}-{port}.log"
    with running_process(
        contender.command(port),
        cwd=contender.cwd,
        env=env,
        log_path=log_path,
        ready_url=f"{url}{contender.ready_path}",
        timeout=60,
    ) as process:
        yield Running(contender, url, process.pid, time.monotonic(), log_path)


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

    def start_sign_in(self, idp: Any, who: Any = None) -> str:
        """GET /sign-in and play the user `who` (a FakeUser; the fake's default if None) at
        the IdP; return the callback URL."""
        status, headers, body = self.get("/sign-in")
        if status != 302:
            raise BenchError(f"{self.base_url}/sign-in answered {status}: {body[:200]!r}")
        return idp.authorize(headers["Location"], who)

    def finish_sign_in(self, callback_url: str) -> None:
        status, _, body = self.get(callback_url)
        if status != 302:
            raise BenchError(f"{self.base_url}/callback answered {status}: {body[:300]!r}")

    def sign_in(self, idp: Any, who: Any = None) -> None:
        self.finish_sign_in(self.start_sign_in(idp, who))

    def cookie(self, name: str = "session") -> str:
        for cookie in self.jar:
            if cookie.name == name and cookie.value:
                return cookie.value
        raise BenchError(f"{self.base_url} set no {name} cookie")


def get_page(url: str, cookie: str | None) -> tuple[int, str, bool]:
    """Status, body, and whether the answer sets a cookie."""
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, response.read().decode(), "Set-Cookie" in response.headers
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(), "Set-Cookie" in error.headers


def timed_get(url: str) -> float:
    start = time.perf_counter()
    with _OPENER.open(url, timeout=30) as response:
        response.read()
    return time.perf_counter() - start


# -- 1. the sessions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    cookie: str
    name: str  # the name the signed-in pages show
    sub: str
    minted: bool = False  # made in a real sign-in's layout (mint_sessions), not signed in


def bench_user(fake_logto: ModuleType, index: int) -> Any:
    """The `index`th user: a `sub`, name, username and email of their own."""
    return fake_logto.FakeUser(
        sub=f"u-bench-{index:05d}",
        name=f"Bench User {index:05d}",
        username=f"bench{index:05d}",
        email=f"bench{index:05d}@example.com",
    )


def sign_in_users(
    running: Running, idp: Any, fake_logto: ModuleType, count: int, clients: int = 4
) -> list[SignedIn]:
    """`count` distinct users sign in to the baked app as a browser does (/sign-in, the IdP,
    /callback) and load its home page once; their session cookies, in sign-in order."""

    def one(index: int) -> SignedIn:
        who = bench_user(fake_logto, index)
        browser = User(running.url)
        browser.sign_in(idp, who)
        status, _, body = browser.get(PAGE)
        if status != 200 or who.name not in body:
            raise BenchError(f"{running.url}{PAGE} does not show {who.name} after sign-in")
        return SignedIn(browser.cookie(), who.name, who.sub)

    signed_in: list[SignedIn] = []
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for signed in pool.map(one, range(count)):
            signed_in.append(signed)
            if len(signed_in) % 1000 == 0:
                log(f"  {running.contender.key}: {len(signed_in)} users signed in")
    if len({s.cookie for s in signed_in}) != count:
        raise BenchError(f"{running.contender.key}: two sign-ins gave the same session cookie")
    return signed_in


def session_serializer(framework: str, secret_key: str) -> Any:
    """The framework's own cookie-session serializer under `secret_key`. FastAPI has no
    cookie session of its own: the bake writes the Flask format (its
    logto_kit/sessions/signed_cookie.py), so Flask's serializer stands for it; that it opens
    the sign-ins' cookies, and that the bake takes the sessions it signs, is checked."""
    if framework == "Quart":
        from quart import Quart as Flask
        from quart.sessions import SecureCookieSessionInterface
    else:
        from flask import Flask
        from flask.sessions import SecureCookieSessionInterface
    app = Flask(__name__, root_path=str(BENCH))
    app.secret_key = secret_key
    return SecureCookieSessionInterface().get_signing_serializer(app)


#: A random value a session holds (a token, a CSRF value), inside JSON or alone.
RANDOM_VALUE = re.compile(r"[A-Za-z0-9_-]{16,}")


def fresh_like(value: str, other: str) -> str:
    """`value` with each random-looking part that `other` (another sign-in's value) does not
    share replaced by a new random one of the same length and alphabet; the rest kept."""

    def new(match: re.Match[str]) -> str:
        part = match.group()
        if part in other:
            return part
        if re.fullmatch(r"[0-9a-f]+", part):
            return secrets.token_hex(len(part))[: len(part)]
        return secrets.token_urlsafe(len(part))[: len(part)]

    return RANDOM_VALUE.sub(new, value)


def mint_sessions(
    framework: str,
    secret_key: str,
    real: Sequence[SignedIn],
    idp: Any,
    fake_logto: ModuleType,
    indexes: range,
) -> list[SignedIn]:
    """Sessions for the users `indexes`, in the layout the bake's sign-in wrote for `real`
    (at least two users who signed in through its flow, then loaded a page): the ID token
    is signed by the IdP for its own user (the real token's claims, that user's `sub`, name,
    username and email), every value that differs between two real sign-ins (refresh and
    access tokens, the CSRF token) is new, the rest is copied."""
    serializer = session_serializer(framework, secret_key)
    first, second = serializer.loads(real[0].cookie), serializer.loads(real[1].cookie)
    if first.keys() != second.keys():
        raise BenchError(f"{framework}: two sign-ins wrote sessions of different layouts")

    def holds_id_token(value: Any) -> bool:
        try:
            claims = jwt.decode(value, options={"verify_signature": False})
        except (jwt.PyJWTError, TypeError):
            return False
        return bool(claims.get("sub") == real[0].sub)

    id_keys = [key for key, value in first.items() if holds_id_token(value)]
    if len(id_keys) != 1:
        raise BenchError(f"{framework}: a session holds {len(id_keys)} ID tokens, expected 1")
    id_key = id_keys[0]
    claims = jwt.decode(first[id_key], options={"verify_signature": False})
    header = jwt.get_unverified_header(first[id_key])
    per_session = [key for key in first if key != id_key and first[key] != second[key]]
    minted = []
    for index in indexes:
        who = bench_user(fake_logto, index)
        session = dict(first)
        session[id_key] = idp.sign(claims | who.claims())
        if jwt.get_unverified_header(session[id_key]) != header:
            raise BenchError(f"{framework}: a minted ID token's header is not the IdP's own")
        for key in per_session:
            session[key] = (
                fresh_like(first[key], second[key]) if isinstance(first[key], str) else first[key]
            )
        minted.append(SignedIn(serializer.dumps(session), who.name, who.sub, minted=True))
    return minted


def guide_cookies(cookies: Sequence[str], secret_key: str) -> list[str]:
    """Each baked session as the guide pattern's storage names it (its keys without the
    `logto.` prefix), signed with the run's shared key: the same sign-in, a cookie of the same
    size (the guide's own would lack the CSRF token, and open faster)."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    app = Flask(__name__, root_path=str(BENCH))
    app.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None

    def renamed(cookie: str) -> str:
        session = serializer.loads(cookie)
        return serializer.dumps(
            {key.removeprefix("logto."): value for key, value in session.items()}
        )

    return [renamed(cookie) for cookie in cookies]


def write_cookies(path: Path, cookies: Sequence[str]) -> Path:
    path.write_text("".join(f"{cookie}\n" for cookie in cookies), encoding="ascii")
    return path


def normalised(html: str) -> str:
    return CSRF_VALUE.sub(r"\1…\2", html)


def first_difference(a: str, b: str) -> str:
    pairs = zip(a.splitlines(), b.splitlines(), strict=False)
    for number, (line_a, line_b) in enumerate(pairs, 1):
        if line_a != line_b:
            return f"line {number}: bake {line_a.strip()[:80]!r}, control {line_b.strip()[:80]!r}"
    return f"bake {len(a.splitlines())} lines, control {len(b.splitlines())} lines"


@dataclass(frozen=True)
class HtmlCheck:
    pages: int  # compared, a signed-out visitor's included
    sessions: int  # the signed-in ones
    cookies_set: dict[str, int]  # of those, the answers that set a cookie, by kind


def check_same_html(
    baked: Running, control: Running, users: Sequence[SignedIn], sample: int
) -> HtmlCheck:
    """The control's home page is the bake's, byte for byte but for the CSRF token's value,
    for a signed-out visitor and `sample` sessions spread over `users`."""
    framework = baked.contender.framework
    step = max(1, len(users) // max(sample, 1))
    sessions = users[::step][:sample]
    cookies_set = {"baked": 0, "control": 0}
    for case in [None, *sessions]:
        cookie = case.cookie if case else None
        who = case.name if case else "a signed-out visitor"
        bake_status, bake_html, bake_sets = get_page(f"{baked.url}{PAGE}", cookie)
        control_status, control_html, control_sets = get_page(f"{control.url}{PAGE}", cookie)
        if bake_status != 200 or control_status != 200:
            failed = baked if bake_status != 200 else control
            raise BenchError(
                f"{framework}: {PAGE} for {who} answered {bake_status} (bake), "
                f"{control_status} (control); the {failed.contender.kind} app's log ends "
                f"{failed.last_log_line()!r}"
            )
        if case and case.name not in bake_html:
            raise BenchError(f"{framework}: the bake's {PAGE} does not show {case.name}")
        if normalised(bake_html) != normalised(control_html):
            raise BenchError(
                f"{framework}: the control's HTML is not the bake's for {who} "
                f"({first_difference(normalised(bake_html), normalised(control_html))})"
            )
        if case:
            cookies_set["baked"] += bake_sets
            cookies_set["control"] += control_sets
    return HtmlCheck(len(sessions) + 1, len(sessions), cookies_set)


# -- 1. throughput -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    rate: float  # requests/s, as wrk measured them
    requests: int
    cpu_ms: float  # CPU time the workers spent per request
    not_ok: int  # answers that were not 200
    signed_out: int  # 200s without the signed-in marker
    others: float  # the share of the machine's CPU that other processes used meanwhile


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy since boot (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """This process's CPU time and its reaped children's (wrk)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def worker_pids(master: int) -> list[int]:
    """The server's workers: the processes whose parent is the gunicorn master."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is field 3, "state"
        if int(fields[1]) == master:
            found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid`, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, field_name: str) -> float:
    """A /proc/<pid>/status memory field (VmRSS, VmHWM: the peak RSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1]) / 1024  # kB
    raise BenchError(f"/proc/{pid}/status has no {field_name}")


def run_wrk(script: Path, running: Running, seconds: float, connections: int) -> Load:
    url = f"{running.url}{PAGE}"
    assert running.cookie_file is not None
    marker = SIGNED_IN_MARKER[running.contender.kind]
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "-s", str(script), url]
    workers = worker_pids(running.pid)
    cpu_before = {pid: cpu_seconds(pid) for pid in workers}
    busy_before, own_before, started = machine_busy_seconds(), own_cpu_seconds(), time.monotonic()
    result = subprocess.run(
        [*args, "--", str(running.cookie_file), marker],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    if worker_pids(running.pid) != workers:
        raise BenchError(f"{url}: a worker was restarted during the run")
    cpu = sum(cpu_seconds(pid) - before for pid, before in cpu_before.items())
    ours = cpu + own_cpu_seconds() - own_before  # the server's workers, wrk, this process
    others = (machine_busy_seconds() - busy_before - ours) / (
        (time.monotonic() - started) * (os.cpu_count() or 1)
    )
    rate = re.search(r"Requests/sec:\s*([\d.]+)", result.stdout)
    requests = re.search(r"(\d+) requests in", result.stdout)
    not_ok = re.search(r"not-200: (\d+)", result.stdout)
    signed_out = re.search(r"signed-out: (\d+)", result.stdout)
    if result.returncode != 0 or not (rate and requests and not_ok and signed_out):
        raise BenchError(f"wrk against {url} failed: {result.stderr.strip() or result.stdout}")
    errors = re.search(r"Socket errors: (.*)", result.stdout)
    if errors and re.search(r"(connect|timeout) [1-9]", errors.group(1)):
        raise BenchError(f"wrk against {url}: socket errors: {errors.group(1)}")
    count = int(requests.group(1))
    return Load(
        float(rate.group(1)),
        count,
        cpu * 1000 / max(count, 1),
        int(not_ok.group(1)),
        int(signed_out.group(1)),
        max(others, 0.0),
    )


@dataclass
class Memory:
    """The workers' memory over the load: RSS after the warm-up and after the last round, and
    the peak (VmHWM) of each worker."""

    after_warm_up: list[float] = field(default_factory=list)
    at_end: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)

    @property
    def growth(self) -> float:
        return max(end - start for start, end in zip(self.after_warm_up, self.at_end, strict=True))


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


def stall_keys(all_contenders: Sequence[Contender]) -> list[str]:
    """The contenders whose stall is measured: each async bake, and its guide pattern if any."""
    return [
        c.key
        for c in all_contenders
        if c.framework in STALL_FRAMEWORKS and c.kind in ("baked", "guide")
    ]


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
    parser.add_argument("--sessions", type=int, default=MIN_SESSIONS, help="signed-in users")
    parser.add_argument(
        "--signed-in",
        type=int,
        default=SIGNED_IN,
        help="of those, how many sign in through the bake's flow (the rest: their layout)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved wrk rounds")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=10, help="wrk -c")
    parser.add_argument("--workers", type=int, default=1, help="server workers, every contender")
    parser.add_argument("--sample", type=int, default=50, help="sessions whose HTML is compared")
    parser.add_argument("--stall-samples", type=int, default=5)
    parser.add_argument("--jwks-delay", type=float, default=0.5, help="seconds, in the stall")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    options = parser.parse_args()
    check_requirements()
    if options.signed_in < 2:
        raise SystemExit("error: --signed-in must be at least 2 (the layout of a session)")
    # Stopped from outside: leave through the context managers, which stop every server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("error: stopped (SIGTERM)"))
    try:
        report = run(options)
    except BenchError as error:
        raise SystemExit(f"error: {error}") from None
    except pytest.fail.Exception as error:  # a server did not start (with its log's tail)
        raise SystemExit(f"error: {error}") from None
    print(report)
    if options.write:
        write_section(SECTION, report)


@dataclass
class Results:
    loads: dict[str, list[Load]]
    memory: dict[str, Memory]
    html_checks: dict[str, HtmlCheck]
    sign_in_seconds: dict[str, float]
    back_channel: dict[str, BackChannel]
    stalls: dict[str, list[Stall]]
    cold: dict[str, Stall | None]  # a cold worker's first sign-in; None: JWKS fetched at start
    idle: dict[str, float]
    bake_seconds: dict[str, float]
    total_seconds: float = 0.0


def run(options: argparse.Namespace) -> str:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as scratch:
        base = Path(scratch)
        logs = base / "logs"
        apps, bake_seconds = {}, {}
        for framework in FRAMEWORKS:
            apps[framework], bake_seconds[framework] = bake(base / framework, framework)
        BenchLogto, fake_logto = load_fake_logto(apps["Flask"].project)
        all_contenders = contenders(apps, options.workers)
        signing_in = [c for c in all_contenders if c.kind in ("baked", "guide")]
        secret_key = secrets.token_urlsafe(48)  # one for every server: the same cookies open
        by_key = {c.key: c for c in all_contenders}

        with BenchLogto() as idp:
            idp.id_token_ttl = ID_TOKEN_TTL_SECONDS
            log("back-channel: a fresh worker per app, counting IdP requests")
            back_channel = {c.key: count_back_channel(c, idp, logs) for c in signing_in}

            with contextlib.ExitStack() as stack:
                log("starting the servers")
                servers = [
                    stack.enter_context(serving(c, idp, logs, "wrk", secret_key))
                    for c in all_contenders
                ]
                running = {server.contender.key: server for server in servers}
                sign_in_seconds, compared = {}, {}
                for framework in FRAMEWORKS:
                    name = framework.lower()
                    baked = running[f"{name}-baked"]
                    real = min(options.signed_in, options.sessions)
                    log(f"{real} users sign in to the {framework} bake")
                    start = time.monotonic()
                    users = sign_in_users(baked, idp, fake_logto, real)
                    sign_in_seconds[framework] = time.monotonic() - start
                    log(f"{options.sessions - real} more sessions in their layout")
                    users += mint_sessions(
                        framework,
                        secret_key,
                        users,
                        idp,
                        fake_logto,
                        range(real, options.sessions),
                    )
                    if len({user.cookie for user in users}) != len(users):
                        raise BenchError(f"{framework}: two sessions have the same cookie")
                    cookies = [user.cookie for user in users]
                    baked_file = write_cookies(base / f"{name}-sessions.txt", cookies)
                    for kind in ("baked", "control", "plain", "hello"):
                        if f"{name}-{kind}" in running:
                            running[f"{name}-{kind}"].cookie_file = baked_file
                    if f"{name}-guide" in running:
                        running[f"{name}-guide"].cookie_file = write_cookies(
                            base / f"{name}-guide-sessions.txt", guide_cookies(cookies, secret_key)
                        )
                    log(f"{framework}: the control's HTML against the bake's")
                    compared[framework] = check_same_html(
                        baked, running[f"{name}-control"], users, options.sample
                    )
                stall_apps = {
                    key: stack.enter_context(serving(by_key[key], idp, logs, "stall"))
                    for key in stall_keys(all_contenders)
                }
                idle = {
                    key: statistics.median(timed_get(f"{server.url}/") * 1000 for _ in range(20))
                    for key, server in stall_apps.items()
                }
                cold: dict[str, Stall | None] = {}
                last_fetch: dict[str, float] = {}
                for key, server in stall_apps.items():
                    if back_channel[key].startup.get("jwks"):
                        cold[key], last_fetch[key] = None, server.started_at
                        continue
                    log(f"stall: {key}'s cold first sign-in with JWKS late")
                    cold[key] = stall_sample(server, idp, options.jwks_delay)
                    last_fetch[key] = time.monotonic()
                stalls: dict[str, list[Stall]] = {key: [] for key in stall_apps}

                def stall_round() -> None:
                    wait_for_jwks_cooldown(*last_fetch.values())
                    idp.rotate_key()
                    for key, server in stall_apps.items():
                        stalls[key].append(stall_sample(server, idp, options.jwks_delay))
                        last_fetch[key] = time.monotonic()

                lua = base / "sessions.lua"
                lua.write_text(WRK_SCRIPT, encoding="utf-8")
                memory = {c.key: Memory() for c in all_contenders}
                for server in servers:  # warm-up, not recorded
                    run_wrk(lua, server, 2, options.connections)
                    workers = worker_pids(server.pid)
                    memory[server.contender.key].after_warm_up = [
                        memory_mb(pid, "VmRSS") for pid in workers
                    ]
                loads: dict[str, list[Load]] = {c.key: [] for c in all_contenders}
                for round_index in range(options.rounds):
                    shift = round_index % len(servers)
                    for server in servers[shift:] + servers[:shift]:
                        load = run_wrk(lua, server, options.duration, options.connections)
                        loads[server.contender.key].append(load)
                        log(
                            f"round {round_index + 1}: {server.contender.key} "
                            f"{load.rate:.0f}/s, {load.cpu_ms:.3f} ms CPU per request, "
                            f"others {load.others:.0%} of the CPU"
                            + (f", {load.not_ok} not 200" if load.not_ok else "")
                            + (f", {load.signed_out} signed out" if load.signed_out else "")
                        )
                    if min(map(len, stalls.values())) < options.stall_samples:
                        log("stall: key rotated, JWKS late")
                        stall_round()
                for server in servers:
                    workers = worker_pids(server.pid)
                    memory[server.contender.key].at_end = [
                        memory_mb(pid, "VmRSS") for pid in workers
                    ]
                    memory[server.contender.key].peak = [memory_mb(pid, "VmHWM") for pid in workers]
                while min(map(len, stalls.values())) < options.stall_samples:
                    log("stall: key rotated, JWKS late (waiting out PyJWT's 30 s cooldown)")
                    stall_round()

    results = Results(
        loads,
        memory,
        compared,
        sign_in_seconds,
        back_channel,
        stalls,
        cold,
        idle,
        bake_seconds,
        time.monotonic() - started,
    )
    return render(options, all_contenders, results)


# -- the report --------------------------------------------------------------------------------


def render(options: argparse.Namespace, all_contenders: list[Contender], results: Results) -> str:
    loads, memory = results.loads, results.memory
    rate = {key: statistics.median(load.rate for load in runs) for key, runs in loads.items()}
    cpu = {key: statistics.median(load.cpu_ms for load in runs) for key, runs in loads.items()}
    not_ok = {key: sum(load.not_ok for load in runs) for key, runs in loads.items()}
    signed_out = {key: sum(load.signed_out for load in runs) for key, runs in loads.items()}
    ratio, cpu_ratio = {}, {}
    for contender in all_contenders:
        baked = f"{contender.framework.lower()}-baked"
        ratio[contender.key] = rate[baked] / rate[contender.key]
        cpu_ratio[contender.key] = cpu[contender.key] / cpu[baked]
    defaults = {
        "sessions": MIN_SESSIONS,
        "signed_in": SIGNED_IN,
        "rounds": 3,
        "duration": 10,
        "connections": 10,
    }
    defaults |= {"workers": 1, "sample": 50, "stall_samples": 5, "jwks_delay": 0.5}
    command = "python3 bench/throughput.py" + "".join(
        f" --{name.replace('_', '-')} {getattr(options, name):g}"
        for name, default in defaults.items()
        if getattr(options, name) != default
    )
    wrk = f"wrk -t1 -c{options.connections} -d{options.duration:g}s -s sessions.lua"
    workers = f"{options.workers} worker{'s' if options.workers != 1 else ''}"
    sign_ins = ", ".join(
        f"{framework} {seconds:.1f} s" for framework, seconds in results.sign_in_seconds.items()
    )
    real = min(options.signed_in, options.sessions)
    others = sorted(load.others for runs in loads.values() for load in runs)
    busy_note = (
        "Other processes used a median "
        f"{statistics.median(others):.0%} (at most {others[-1]:.0%}) of the machine's CPU "
        "during the wrk runs"
    )
    if statistics.median(others) > BUSY_SHARE:
        busy_note = (
            f"**The machine was busy with other work**: {busy_note[0].lower()}{busy_note[1:]}; "
            "requests/s are lower than on an idle machine and noisier, the CPU-per-request "
            "ratios are the steadier figures."
        )
    else:
        busy_note += "."
    checks = results.html_checks
    compared = ", ".join(f"{fw} {check.pages}" for fw, check in checks.items())
    cookies_set = "; ".join(
        f"{fw}: bake {check.cookies_set['baked']}, control {check.cookies_set['control']} "
        f"of {check.sessions}"
        for fw, check in checks.items()
    )
    lines = [
        "## Signed-in throughput across many sessions, IdP back-channel, the slow-JWKS stall",
        "",
        f"`{command} --write` — {machine()}; the whole run took "
        f"{results.total_seconds / 60:.1f} min. {busy_note}",
        "",
        "**How.** The default Flask bake and the default bake with Quart or with FastAPI "
        "instead (cookie sessions) run the production command of their README (gunicorn; with "
        "uvicorn workers for Quart and FastAPI) on "
        f"127.0.0.1 with **{workers}** (the README documents 2; every contender gets the same "
        f"count). **{options.sessions:,} sessions of distinct users** per bake: {real:,} users "
        "sign in through the bake's own `/sign-in` → IdP → `/callback` flow and open the home "
        f"page once, as a browser does ({sign_ins}); the other {options.sessions - real:,} "
        "sessions are made in the layout those sign-ins wrote (read off two of their cookies): "
        "an ID token signed by the IdP for a user of its own, new values where two sign-ins "
        "differ (refresh and access tokens, the CSRF token), the rest copied, signed with the "
        "bake's SECRET_KEY by the framework's cookie-session serializer (Flask's for FastAPI, "
        "whose bake writes the same format). The IdP is the bakes' `tests/fake_logto.py`, in "
        "the bench "
        "process; each user has an own `sub`, name, username and email; ID tokens outlive the "
        f"run, so nothing is renewed. Then `{wrk}` loads the signed-in home page `{PAGE}` with "
        "a Lua script that cycles through those session cookies: every request carries the "
        "next user's cookie, so no session repeats within "
        f"{options.sessions:,} requests, more than any per-process cache would hold."
        "[^one-cookie]",
        "",
        "**The control is the framework itself** (`bench/control_app.py`): plain Flask / Quart "
        "/ FastAPI under the same server, opening the same cookie with the framework's own "
        "`SecureCookieSessionInterface` and the same SECRET_KEY (FastAPI, which has no cookie "
        "session in that format: a minimal ASGI middleware with Flask's serializer, as "
        "Starlette's `SessionMiddleware` does for its own format), and rendering the bake's own "
        "templates (its template folders: the app's and the sign-in machinery's `logto/`) "
        "with the context the bake gives them: the "
        "user's ID token claims (its payload read from the session as the bake reads it), "
        "`user_name`, the "
        "sign-in options, the same Jinja globals, `csrf_token()` and the check before "
        "every request (Flask-WTF's `CSRFProtect` for Flask; for Quart, which has no CSRF "
        "extension, and for FastAPI, the same signed, timestamped token and check) and flashed "
        "messages through the framework's own `get_flashed_messages` (FastAPI: popped from "
        "the session), "
        "with the bake's routes in blueprints of the same names (FastAPI: routes of the same "
        "names, the templates through `Jinja2Templates` with a Starlette context processor). "
        "It adds nothing else the "
        "bake adds (no security headers, no sign-in machinery), and tunes nothing of the "
        "framework but the one thing the bake removes from Quart: Flask's empty default "
        "context processor, which every Quart blueprint inherits and Quart runs in a worker "
        "thread on every render (the bake drops it at start, "
        "`logto_kit/web/thread_free_templates.py`; the control does the same, so the ratio "
        "is the bake's own work; Quart as shipped is a reference row). "
        "Before anything is measured, its "
        f"HTML is checked equal to the bake's ({compared} pages: a signed-out visitor and a "
        "sample of the sessions; only the CSRF token's value may differ; signed-in pages "
        f"of the sample that set a cookie - {cookies_set}). The Logto guide "
        "pattern (its own session keys: each bake session renamed and re-signed; Flask's "
        "guide and its Quart port, as Logto has no FastAPI guide) and a hello "
        "page (`bench/guide_app.py`) are **references**, not goals. "
        f"{options.rounds} interleaved round{'s' if options.rounds != 1 else ''}; medians.",
        "",
        "**Measured.** Requests/s as wrk counted them. Server CPU per request: the utime + "
        "stime (`/proc/<pid>/stat`) of the gunicorn workers over the run ÷ its requests; it "
        "depends less on what else the machine runs, so its ratio is the steadier one on a "
        "busy machine (though not immune: other work evicts caches and shares the cores' "
        "time). Peak RSS: each worker's `VmHWM` after the last round (sign-ins "
        "included); growth: its RSS after the last round less after the warm-up. Not 200 / "
        "signed out: every answer of every round that was not a 200, or a 200 without the "
        "signed-in page (a cookie the app did not accept).",
        "",
        "| Framework | App | Requests/s | Rounds | Bake ÷ this | Server CPU per request | "
        "Bake ÷ this, by CPU | Peak RSS per worker | RSS growth | Not 200 / signed out |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for contender in all_contenders:
        key = contender.key
        share = "—" if contender.kind == "baked" else f"{ratio[key]:.2f}{X}"
        cpu_share = "—" if contender.kind == "baked" else f"{cpu_ratio[key]:.2f}{X}"
        rounds = " / ".join(f"{load.rate:.0f}" for load in loads[key])
        label = contender.label + (" (reference)" if contender.reference else "")
        peak = " / ".join(f"{mb:.0f} MB" for mb in memory[key].peak)
        lines.append(
            f"| {contender.framework} ({contender.server}) | {label} | {rate[key]:.0f} | "
            f"{rounds} | {share} | {cpu[key]:.3f} ms | {cpu_share} | {peak} | "
            f"{memory[key].growth:+.1f} MB | {not_ok[key]} / {signed_out[key]} |"
        )
    names = [framework.lower() for framework in FRAMEWORKS]
    added = {name: cpu[f"{name}-baked"] - cpu[f"{name}-control"] for name in names}
    lines += [
        "",
        f"Where the time goes, in server CPU per request ({' / '.join(FRAMEWORKS)}): a hello "
        "page costs "
        + " / ".join(f"{cpu[f'{name}-hello'] * 1000:.0f} µs" for name in names)
        + " (the server, the framework's request and response); the control - opening the "
        "session, decoding the ID token, rendering the home page - "
        + " / ".join(f"{cpu[f'{name}-control'] * 1000:.0f} µs" for name in names)
        + "; the bake "
        + " / ".join(f"{added[name] * 1000:+.0f} µs" for name in names)
        + " over the control (its sign-in check, CSRF token, security headers and the rest).",
    ]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    stall_median = {
        key: statistics.median(s.unrelated_ms for s in stalls)
        for key, stalls in results.stalls.items()
    }
    back_channel = results.back_channel
    baked_keys = [f"{name}-baked" for name in names]
    first_sign_in = max(
        sum(back_channel[key].startup.values()) + sum(back_channel[key].first_sign_in.values())
        for key in baked_keys
    )
    later_sign_in = max(sum(back_channel[key].second_sign_in.values()) for key in baked_keys)
    enough_sessions = options.sessions >= MIN_SESSIONS
    lines += ["", "### Goals", "", "| Goal | Measured | |", "| --- | --- | --- |"]
    for framework, name in zip(FRAMEWORKS, names, strict=True):
        key = f"{name}-control"
        lines.append(
            f"| {framework}: the bake's signed-in home page ≥ {GOAL_VS_CONTROL:g}{X} the "
            f"control, {options.sessions:,} sessions (requests/s) | {ratio[key]:.2f}{X} "
            f"(by CPU {cpu_ratio[key]:.2f}{X}) | {verdict(ratio[key] >= GOAL_VS_CONTROL)}"
            + ("" if enough_sessions else f" (but fewer than {MIN_SESSIONS:,} sessions)")
            + " |"
        )
    for framework, name in zip(FRAMEWORKS, names, strict=True):
        peak = max(memory[f"{name}-baked"].peak)
        lines.append(
            f"| {framework}: every worker's peak RSS ≤ {GOAL_RSS_MB} MB | {peak:.0f} MB | "
            f"{verdict(peak <= GOAL_RSS_MB)} |"
        )
    bad = sum(not_ok[key] + signed_out[key] for key in not_ok if not key.endswith("-hello"))
    lines += [
        f"| Every answer under load a signed-in 200 | {bad} not | {verdict(bad == 0)} |",
        "| IdP back-channel requests per sign-in: 1 (the token request); a worker's first "
        "adds discovery and JWKS once (at start-up or then): 3 "
        f"| later {later_sign_in}, a worker's first (with its start-up) {first_sign_in} | "
        f"{verdict(later_sign_in == 1 and first_sign_in <= 3)} |",
    ]
    for framework in STALL_FRAMEWORKS:
        baked, guide = (f"{framework.lower()}-{kind}" for kind in ("baked", "guide"))
        lines.append(
            f"| {framework}, JWKS {options.jwks_delay * 1000:.0f} ms late: an unrelated request "
            f"answers in ≤ {GOAL_STALL_MS:.0f} ms | {stall_median[baked]:.1f} ms"
            + (f" (guide pattern: {stall_median[guide]:.0f} ms)" if guide in stall_median else "")
            + f" | {verdict(stall_median[baked] <= GOAL_STALL_MS)} |"
        )
    lines += [
        "",
        "[^one-cookie]: Until issue 19 this section re-sent one user's cookie: the bake then "
        f"served 3,751 (Flask) and 3,973 (Quart) requests/s, 1.08{X} / 1.03{X} a bare page "
        "opening that session. Those figures measured the bake's page cache and "
        "remembered-cookie check, which answer a cookie seen before (with one user, every "
        "request); no site has one user, and the page cache served one visitor's page (a "
        "flashed message) to others. They are not comparable with the table above.",
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
        "### Slow JWKS: an unrelated request during a sign-in (Quart, FastAPI: uvicorn workers)",
        "",
        "The IdP rotates its signing key (a new `kid`, published with the old one) and answers "
        f"JWKS {options.jwks_delay * 1000:.0f} ms late; a user's callback then needs the new "
        "key. As soon as the app's JWKS request reaches the IdP, another client times "
        "`GET /`. PyJWT refetches for an unknown `kid` at most every 30 s, so samples are "
        "spaced by that (between the throughput rounds).",
        "",
        "| App | Trigger | Unrelated `GET /`, median | Samples | The callback itself |",
        "| --- | --- | --- | --- | --- |",
    ]
    stall_label = {c.key: f"{c.framework}: {c.label}" for c in all_contenders}
    for key, samples in results.stalls.items():
        lines.append(
            f"| {stall_label[key]} | key rotated | {stall_median[key]:.1f} ms | "
            + ", ".join(f"{s.unrelated_ms:.1f}" for s in samples)
            + f" | {statistics.median(s.callback_ms for s in samples):.0f} ms |"
        )
    for key, first in results.cold.items():
        lines.append(
            f"| {stall_label[key]} | a cold worker's first sign-in | "
            + (
                "no JWKS request (fetched before serving) | — | — |"
                if first is None
                else f"{first.unrelated_ms:.1f} ms | 1 | {first.callback_ms:.0f} ms |"
            )
        )
    idle = results.idle
    lines += [
        "",
        "Idle `GET /` for comparison: "
        + ", ".join(f"{stall_label[key]} {ms:.1f} ms" for key, ms in idle.items())
        + ". The SDK verifies the ID token with PyJWT's `PyJWKClient`, "
        "which fetches JWKS with blocking urllib: in the guide pattern that runs on the event "
        "loop and every request of the worker waits for it; the baked apps resolve the key in "
        "a thread (`asyncio.to_thread`) first, so the loop keeps serving.",
        "",
        "### Bake time, test-suite time",
        "",
        "See [Bake and test-suite times](#bake-and-test-suite-times) "
        "(`bench/template_timings.py`). This run's in-process bakes took "
        + ", ".join(
            f"{name} {seconds * 1000:.0f} ms" for name, seconds in results.bake_seconds.items()
        )
        + ".",
    ]
    return "\n".join(lines)


def machine() -> str:
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    wrk_version = (wrk.stdout + wrk.stderr).split()[1] if wrk.stdout + wrk.stderr else "?"
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("flask", "quart", "fastapi", "gunicorn", "uvicorn", "logto")
    )
    return (
        f"{cpu_name()}, {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}, {versions}, wrk {wrk_version}"
    )


if __name__ == "__main__":
    main()

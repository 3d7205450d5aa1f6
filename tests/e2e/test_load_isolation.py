"""Many users at once, under the README's production command, while their sign-ins renew:
nobody sees anyone else, nobody is signed out, nothing times out, nothing fails.

For every session backend and both frameworks: 100 distinct accounts sign in concurrently
(each user its own cookie jar, in its own thread) and then load /profile for
RENEWING_SECONDS. With a server-side store they alternate between instance A and instance B
(two gunicorn workers each) sharing it; with cookie sessions, which the README serves from
one process, each user has two tabs loading /profile at once on that one instance (two tabs
renewing at the same moment in two processes is what signs users out there). ID tokens live
34 s, so the app renews each after 4 s, and the IdP rotates refresh tokens and revokes a
sign-in whose used token comes back (as Logto does): every user renews at least once, and a
renewal made twice, a stalled refresh lock or a starved executor shows up as a timeout, an
error page, a sign-in page or a grant error at the IdP. Every response must be a 200 showing
that user only: a cross-user leak through the app's one module-level LogtoClient, a cache,
the refresh outcomes or the sessions would show up as another user's name, email or sub.

Bounded: every HTTP call has a timeout, the whole load phase has one, and only loopback
servers started here are used.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import BakedApp, running_app
from tests.support.e2e_stack import idp_and_bake
from tests.support.http_user import HttpUser, Page, sign_in_at_idp
from tests.support.processes import free_port, log_tail
from tests.support.stores import STORES

pytestmark = pytest.mark.e2e

USERS = 100
WORKERS = 100  # every user in flight at once
#: The app renews an ID token 30 s before its `exp` (logto_auth.py): one of 34 s is renewed
#: 4 s after it was issued, and every 4 s after that.
ID_TOKEN_TTL = 34
RENEWING_SECONDS = 10.0  # each user's /profile visits after sign-in: one or two renewals
PACE_SECONDS = 0.25  # between one user's visits (a person clicking, not a flood)
HTTP_TIMEOUT = 20.0  # seconds, each request
LOAD_TIMEOUT = 180.0  # seconds, the whole load phase
#: Instances sharing the store, and tabs per user: what the README allows each backend.
INSTANCES = {"cookie": 1}  # others: 2
TABS = {"cookie": 2}  # others: 1


def login_of(number: int) -> str:
    return f"user{number:03d}"


# Identifiers that are not substrings of one another (three-digit numbers throughout).
ACCOUNTS = {
    login_of(n): {"name": f"Load Tester {n:03d}", "email": f"user{n:03d}@load.example"}
    for n in range(1, USERS + 1)
}


def identifiers(login: str) -> tuple[str, str, str]:
    account = ACCOUNTS[login]
    return login, account["name"], account["email"]


USER_NAME = re.compile(r'<span data-testid="user-name">(.*?)</span>', re.S)
PROFILE_HEADING = re.compile(r"<h1>(.*?)</h1>", re.S)
SUB_CLAIM = re.compile(r"<th>sub</th><td><code>(.*?)</code></td>", re.S)
USERINFO = re.compile(r'<pre data-testid="userinfo">(.*?)</pre>', re.S)


@dataclass
class Journey:
    login: str
    errors: list[str] = field(default_factory=list)
    session_cookie: str | None = None
    started: float = 0.0
    ended: float = 0.0


def peak_in_flight(journeys: list[Journey]) -> int:
    """The most users that were between their first and last request at the same time."""
    events = sorted(
        [(j.started, 1) for j in journeys] + [(j.ended, -1) for j in journeys],
        key=lambda event: (event[0], event[1]),  # an end before a start at the same instant
    )
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def describe(page: Page) -> str:
    """URL, status and the page's heading (the app's error pages say what failed)."""
    heading = re.search(r"<h1>(.*?)</h1>", page.body, re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", heading.group(1))).strip() if heading else ""
    return f"{page.url} (HTTP {page.status}{': ' + text if text else ''})"


def check_page(journey: Journey, what: str, page: Page) -> None:
    """The page is a 200 that names this user and none of the other 49."""
    if page.status != 200:
        journey.errors.append(f"{what}: {describe(page)}")
        return
    for login in ACCOUNTS:
        if login == journey.login:
            continue
        leaked = [value for value in identifiers(login) if value in page.body]
        if leaked:
            journey.errors.append(f"{what}: shows another user's {leaked} ({login})")
    _, name, _ = identifiers(journey.login)
    if name not in page.body:
        journey.errors.append(f"{what}: does not show {name!r}")


def check_profile(journey: Journey, what: str, page: Page) -> None:
    check_page(journey, what, page)
    if page.status != 200:
        return
    login, name, email = identifiers(journey.login)
    heading = PROFILE_HEADING.search(page.body)
    if heading is None or html.unescape(heading.group(1)).strip() != name:
        journey.errors.append(f"{what}: heading {heading and heading.group(1)!r} != {name!r}")
    sub = SUB_CLAIM.search(page.body)
    if sub is None or html.unescape(sub.group(1)) != login:
        journey.errors.append(f"{what}: ID token sub {sub and sub.group(1)!r} != {login!r}")
    userinfo = USERINFO.search(page.body)
    if userinfo is None:
        journey.errors.append(f"{what}: no userinfo shown")
        return
    info = json.loads(html.unescape(userinfo.group(1)))
    expected = {"sub": login, "name": name, "email": email}
    got = {key: info.get(key) for key in expected}
    if got != expected:
        journey.errors.append(f"{what}: userinfo {got} != {expected}")


def run_journey(number: int, url_a: str, url_b: str, issuer: str, tabs: int = 1) -> Journey:
    """Sign in (odd users start on A, even ones on B; the callback is always on A), then
    load /profile alternately on A and B, in `tabs` tabs at once (the first /profile, which
    fetches userinfo, in one)."""
    journey = Journey(login_of(number), started=time.monotonic())
    user = HttpUser(timeout=HTTP_TIMEOUT)
    try:
        start = url_a if number % 2 else url_b
        page = user.open(f"{start}/sign-in")
        if not page.url.startswith(f"{issuer}/interaction/"):
            raise AssertionError(f"sign-in on {start} did not reach the IdP: {page.url}")
        page = sign_in_at_idp(user, page, journey.login)
        callbacks = [url for _, url in page.history if url.startswith(f"{url_a}/callback?")]
        if page.url != f"{url_a}/" or len(callbacks) != 1:
            raise AssertionError(f"sign-in ended at {describe(page)} via {page.history}")
        check_page(journey, "home after sign-in", page)
        greeted = USER_NAME.search(page.body)
        if greeted is None or html.unescape(greeted.group(1)) != ACCOUNTS[journey.login]["name"]:
            journey.errors.append(f"home after sign-in greets {greeted and greeted.group(1)!r}")

        urls = (url_a, url_b)
        load_profiles(journey, user, urls, until=0.0, visits=1)  # the one that gets userinfo
        until = time.monotonic() + RENEWING_SECONDS
        if not journey.errors:  # the tabs share the cookie jar, as a browser's tabs do
            with ThreadPoolExecutor(tabs, thread_name_prefix="load-tab") as pool:
                names = [f"tab {n}" if tabs > 1 else "" for n in range(1, tabs + 1)]
                for tab in [
                    pool.submit(load_profiles, journey, user, urls, until, 4, name)
                    for name in names
                ]:
                    tab.result()

        sessions = [cookie.value for cookie in user.jar if cookie.name == "session"]
        if len(sessions) != 1:
            raise AssertionError(f"expected one session cookie, got {user.cookie_names()}")
        journey.session_cookie = sessions[0]
    except Exception as error:  # every failure counts, with what it was
        journey.errors.append(f"{type(error).__name__}: {error}")
    journey.ended = time.monotonic()
    return journey


def load_profiles(
    journey: Journey,
    user: HttpUser,
    urls: tuple[str, str],
    until: float,
    visits: int,
    tab: str = "",
) -> None:
    """Load /profile at least `visits` times and until `until`, alternately on both URLs;
    stops at the first page that is not the user's."""
    visit = 0
    while visit < visits or time.monotonic() < until:
        base = urls[visit % 2]
        page = user.request(f"{base}/profile")  # a redirect here means signed out
        where = f"{tab + ' ' if tab else ''}/profile #{visit + 1} on {base}"
        errors = len(journey.errors)
        check_profile(journey, where, page)
        if page.status != 200 or len(journey.errors) > errors:
            return  # one error says it; the rest of the journey would repeat it
        visit += 1
        if visit >= visits and time.monotonic() >= until:
            return
        time.sleep(PACE_SECONDS)


def run_load(url_a: str, url_b: str, issuer: str, tabs: int = 1) -> tuple[list[Journey], float]:
    """All users at once; fails the test if the load phase overruns LOAD_TIMEOUT."""
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="load-user")
    started = time.monotonic()
    futures = [pool.submit(run_journey, n, url_a, url_b, issuer, tabs) for n in range(1, USERS + 1)]
    _, not_done = wait(futures, timeout=LOAD_TIMEOUT)
    elapsed = time.monotonic() - started
    # Stragglers are bounded by HTTP_TIMEOUT; stopping the servers makes them fail fast.
    pool.shutdown(wait=False, cancel_futures=True)
    if not_done:
        pytest.fail(
            f"{len(not_done)} of {USERS} users had not finished after {LOAD_TIMEOUT} s",
            pytrace=False,
        )
    return [future.result() for future in futures], elapsed


def check_load_isolation(
    tmp_path: Path,
    framework: str,
    backend: str,
    store: str,
    prepare: Callable[[BakedApp], None] | None = None,
) -> None:
    """The whole scenario; `prepare` may change the bake before it is served (a test of
    this test breaks the app through it)."""
    port_a, port_b = free_port(), free_port()
    with idp_and_bake(
        tmp_path,
        framework=framework,
        backend=backend,
        store=store,
        app_port=port_a,
        accounts=ACCOUNTS,
        rotate_refresh_tokens=True,
        id_token_ttl=ID_TOKEN_TTL,
    ) as (idp, app):
        if prepare is not None:
            prepare(app)
        instances, tabs = INSTANCES.get(backend, 2), TABS.get(backend, 1)
        with (
            running_app(app, tmp_path) as url_a,
            contextlib.ExitStack() as second,
        ):
            url_b = (
                url_a
                if instances == 1
                else second.enter_context(running_app(app, tmp_path, port_b))
            )
            idp.reset()  # count only the load below
            journeys, elapsed = run_load(url_a, url_b, idp.issuer, tabs)
            counts = idp.request_counts()
        app_logs = {path.name: log_tail(path, 15) for path in sorted(tmp_path.glob("app-*.log"))}

    errors = [f"{j.login}: {error}" for j in journeys for error in j.errors]
    slowest = max(j.ended - j.started for j in journeys)
    peak = peak_in_flight(journeys)
    print(
        f"\n{framework} + {store}: {USERS} users ({tabs} tab(s) each, {instances} instance(s)), "
        f"load phase {elapsed:.2f} s, "
        f"slowest user {slowest:.2f} s, peak {peak} users in flight, IdP counts "
        f"{ {k: v for k, v in counts.items() if k != 'by_path'} }"
    )
    assert not errors, (
        f"{len(errors)} errors among {USERS} users:\n"
        + "\n".join(errors[:40])
        + "".join(f"\n--- {name} (tail)\n{tail}" for name, tail in app_logs.items())
    )

    assert peak >= USERS // 2, f"only {peak} users were ever in flight at once: not a load"
    cookies = [j.session_cookie for j in journeys]
    assert len(set(cookies)) == USERS, "two users ended up with the same session cookie"
    # One sign-in each: one authorization request and one code exchange per user.
    assert counts["authorization"] == USERS, counts
    # A code exchange each, then at least one renewal each, none of them refused (a rotated
    # refresh token used twice is refused and revokes the sign-in).
    assert counts["token"] >= 2 * USERS, counts
    assert counts["grant_errors"] == 0, counts
    # Userinfo at most once per user: each user's first /profile fetches it (and shows it,
    # checked above), later visits on either instance read it from the shared session.
    assert counts["userinfo"] == USERS, counts


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("backend", "store"), STORES, ids=[store for _, store in STORES])
def test_concurrent_users_see_only_themselves_through_renewals(
    framework: str, backend: str, store: str, tmp_path: Path
) -> None:
    check_load_isolation(tmp_path, framework, backend, store)

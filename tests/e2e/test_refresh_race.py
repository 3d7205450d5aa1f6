"""Requests of one session that find its ID token just expired, under the README's production
command, and an IdP that rotates refresh tokens (and, as Logto does, revokes the sign-in when a
used one comes back): they make ONE refresh between them, and every one of them, and every
later one, is still signed in. A renewal that loses the race never signs the user out.

- Redis: two instances of the bake (two workers each), so the requests are spread over four
  processes: only the lock and outcome in Redis keep them from refreshing twice.
- Cookie sessions: one instance, one process (the README's command for them: renewals are
  coordinated within a process); with two worker processes this fails, as two of them refresh.
"""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.bakes import FRAMEWORKS
from tests.support.baked_app import running_app
from tests.support.e2e_stack import idp_and_bake
from tests.support.http_user import HttpUser, Page, sign_in_at_idp
from tests.support.processes import free_port

pytestmark = pytest.mark.e2e

ACCOUNTS = {"alice": {"name": "Alice Example", "email": "alice@example.com"}}
#: The app counts an ID token as expired 30 s before its `exp` (logto_auth.py), so one of 33 s
#: is fresh for the first 3 s after sign-in, and expired after.
ID_TOKEN_TTL = 33
FRESH_SECONDS = ID_TOKEN_TTL - 30
REQUESTS = 8  # half on each instance
START_TIMEOUT = 30.0


def tab_of(user: HttpUser) -> HttpUser:
    """Another tab of `user`'s browser: the same cookies, its own connection."""
    tab = HttpUser()
    for cookie in user.jar:
        tab.jar.set_cookie(cookie)
    return tab


def signed_in(page: Page) -> bool:
    return page.status == 200 and "Alice Example" in page.body and "Sign out" in page.body


#: (session backend, its store, how many instances the README allows it).
SETUPS = [("redis", "redis", 2), ("cookie", "cookie", 1)]


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("backend", "store", "instances"), SETUPS, ids=[s for s, *_ in SETUPS])
def test_concurrent_requests_at_expiry_refresh_once(
    framework: str, backend: str, store: str, instances: int, tmp_path: Path
) -> None:
    port_a, port_b = free_port(), free_port()
    url_a = f"http://127.0.0.1:{port_a}"
    with (
        idp_and_bake(
            tmp_path,
            framework=framework,
            backend=backend,
            store=store,
            app_port=port_a,
            rotate_refresh_tokens=True,
            id_token_ttl=ID_TOKEN_TTL,
        ) as (idp, app),
        running_app(app, tmp_path),
        contextlib.ExitStack() as second,
    ):
        url_b = (
            url_a if instances == 1 else second.enter_context(running_app(app, tmp_path, port_b))
        )
        user = HttpUser()
        home = sign_in_at_idp(user, user.open(f"{url_a}/sign-in"), "alice")
        assert home.url == f"{url_a}/", home.history
        assert signed_in(home)
        time.sleep(FRESH_SECONDS + 1)  # the ID token has expired now
        idp.reset()

        tabs = [tab_of(user) for _ in range(REQUESTS)]
        start = threading.Barrier(REQUESTS)

        def load(number: int) -> Page:
            start.wait(START_TIMEOUT)
            return tabs[number].open(f"{(url_a, url_b)[number % 2]}/")

        with ThreadPoolExecutor(REQUESTS) as pool:
            pages = list(pool.map(load, range(REQUESTS)))

        assert [signed_in(page) for page in pages] == [True] * REQUESTS, [
            (page.status, page.url, page.body[:200]) for page in pages if not signed_in(page)
        ]
        assert idp.request_counts()["token"] == 1, "one refresh for all of them"

        # Later requests, on either instance, are still signed in, with the cookie the
        # browser kept (the last answer's): the refresh token they renew with is the renewed
        # one (a used one would have made the IdP revoke the grant).
        time.sleep(FRESH_SECONDS + 1)  # the renewed ID token has expired too
        for url in (url_b, url_a):
            assert signed_in(tab_of(tabs[-1]).open(f"{url}/profile"))
        assert idp.request_counts()["token"] == 2

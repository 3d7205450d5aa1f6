"""A session store that fails gives the app's own 503 page, logged with the cause, in about
the store's time limit (never a 500, never a hang), in debug mode too (the development
server's); `/readyz` says so and `/healthz` does not; the app recovers by itself when the
store is back; a store that is down at start does not stop the app; `logto doctor` names it.
The store is real; the faults are staged by tests/session_store.py's `outage` (a proxy that
drops or hangs connections, or a session folder that cannot be written)."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from logto_kit.admin.doctor import run_doctor
from logto_kit.settings import STORE_COMMAND_TIMEOUT_SECONDS, Settings

from {{ cookiecutter.package_name }} import create_app

from .fake_logto import FakeLogto
from .flows import sign_in
from .page_client import PageClient
from .pages import Page
from .store_outages import Outage

#: A bound that catches a hang on two busy cores; the measured time is in docs (~1.5 s hung,
#: a few ms refused).
ANSWER_LIMIT_SECONDS = STORE_COMMAND_TIMEOUT_SECONDS + 5
UNAVAILABLE = "Sessions are unavailable"
RECOVERY_LIMIT_SECONDS = 10  # a bound: the app checks again about a second after a failure


@pytest.fixture
def app_client(settings: Settings, outage: Outage) -> Iterator[PageClient]:
    client = PageClient(create_app(dataclasses.replace(settings, **outage.settings)))  # type: ignore[arg-type]
    yield client
    client.close()


def timed_get(client: PageClient, path: str) -> tuple[int, str, float]:
    """The page at `path` and how long it took; a page that takes more than twice
    ANSWER_LIMIT_SECONDS fails the test rather than hang it (an unbounded store's wait)."""
    answers: list[Page | BaseException] = []

    def get() -> None:
        try:
            answers.append(client.get(path))
        except BaseException as error:  # handed to the test's thread
            answers.append(error)

    started = time.monotonic()
    getter = threading.Thread(target=get, daemon=True)
    getter.start()
    getter.join(2 * ANSWER_LIMIT_SECONDS)
    assert answers, f"{path}: no answer in {2 * ANSWER_LIMIT_SECONDS} s"
    if isinstance(page := answers[0], BaseException):
        raise page
    return page.status, page.text, time.monotonic() - started


def recovered(client: PageClient, path: str = "/") -> tuple[int, str]:
    """The first answer at `path` that is not the outage's 503: the store is checked again
    RETRY_AFTER_SECONDS after its last failed check (server_side.py)."""
    deadline = time.monotonic() + RECOVERY_LIMIT_SECONDS
    while True:
        status, text, _ = timed_get(client, path)
        if status != 503 or time.monotonic() > deadline:
            return status, text
        time.sleep(0.05)


def test_every_fault_is_a_503_page_then_the_app_recovers(
    app_client: PageClient, logto: FakeLogto, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    for name, fault in outage.faults.items():
        assert sign_in(app_client, logto).status == 302, name
        assert "Alice Example" in app_client.get("/").text, name
        caplog.clear()
        fault.begin()
        try:
            for path in ("/", "/profile", "/sign-in"):  # read, renew-or-read, write
                status, text, took = timed_get(app_client, path)
                assert (status, UNAVAILABLE in text) == (503, True), (name, path, status)
                assert took < ANSWER_LIMIT_SECONDS, (name, path, took)
            assert "session store at " in caplog.text and " failed: " in caplog.text, name
        finally:
            fault.end()
        status, text = recovered(app_client)
        assert status == 200, name
        assert ("Alice Example" in text) is fault.keeps_sessions, name


def test_readyz_says_what_is_down_while_healthz_stays_ok(
    app_client: PageClient, logto: FakeLogto, outage: Outage
) -> None:
    """Readiness follows the store, within its time limit; liveness never asks it. Neither
    reads a session, even with a signed-in cookie."""
    assert sign_in(app_client, logto).status == 302
    assert app_client.get("/readyz").status == 200
    for name, fault in outage.faults.items():
        fault.begin()
        try:
            status, text, took = timed_get(app_client, "/readyz")
            assert status == 503, (name, text)
            assert took < ANSWER_LIMIT_SECONDS, (name, took)
            (line,) = text.splitlines()
            assert line.startswith("not ready: "), (name, line)
            assert app_client.get("/healthz").status == 200, name
        finally:
            fault.end()
        assert recovered(app_client, "/readyz") == (200, "ready\n"), name


def test_debug_mode_shows_the_same_503_page(
    app_client: PageClient, logto: FakeLogto, outage: Outage
) -> None:
    """The development server runs in debug mode, where an exception that reaches the
    framework propagates (a traceback page): a failed read and a failed write are the 503
    page there too."""
    app_client.enable_debug()
    assert sign_in(app_client, logto).status == 302
    fault = next(iter(outage.faults.values()))
    fault.begin()
    try:
        status, text, _ = timed_get(app_client, "/")  # the signed-in session's read
        assert (status, UNAVAILABLE in text) == (503, True), status
        app_client.set_cookie("session", "")  # a new visitor, whose sign-in writes the store
        signed_in = sign_in(app_client, logto)
        assert (signed_in.status, UNAVAILABLE in signed_in.text) == (503, True), signed_in.status
        assert signed_in.headers["x-frame-options"] == "DENY"  # the security headers' hook
    finally:
        fault.end()


def test_doctor_names_a_store_that_does_not_answer(outage: Outage, tmp_path: Path) -> None:
    """One `fix:` line saying what is down and what to do, and a failed run; `ok:` once the
    store is back."""
    environ = {name.upper(): str(value) for name, value in outage.settings.items()}
    for name, fault in outage.faults.items():
        fault.begin()
        try:
            lines: list[str] = []
            assert not run_doctor(tmp_path / ".env", lines.append, environ=environ)
        finally:
            fault.end()
        (store,) = [line for line in lines if any(name in line for name in environ)]
        assert store.startswith("fix: ") and " or set " in store, (name, store)
        lines.clear()
        run_doctor(tmp_path / ".env", lines.append, environ=environ)
        assert any(line.startswith("ok: the session store answers") for line in lines), name


def test_a_store_down_at_start_does_not_stop_the_app(
    settings: Settings, logto: FakeLogto, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    fault = next(iter(outage.faults.values()))
    fault.begin()
    try:
        with caplog.at_level(logging.WARNING):
            client = PageClient(create_app(dataclasses.replace(settings, **outage.settings)))  # type: ignore[arg-type]
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert any(line.endswith("; pages answer 503 until it does") for line in warnings)
        assert all("\n" not in line for line in warnings)
        signing_in = sign_in(client, logto)  # a signed-out visitor's start needs no store
        assert (signing_in.status, UNAVAILABLE in signing_in.text) == (503, True)
    finally:
        fault.end()
    try:
        deadline = time.monotonic() + RECOVERY_LIMIT_SECONDS
        while (signed_in := sign_in(client, logto)).status == 503:  # no restart needed
            assert time.monotonic() < deadline, "the app did not recover"
            time.sleep(0.05)
        assert signed_in.status == 302
        assert "Alice Example" in client.get("/").text
    finally:
        client.close()

"""Added per-request latency of each server-side session backend versus the cookie backend,
on a signed-in /profile page, for Flask and Quart - all in one run.

Each combination is baked, signed in through the in-process Logto look-alike the baked tests
use, and timed with the framework's test client (no network: the difference is the session
store). Rounds interleave the backends so machine noise hits all alike; the table reports the
median of the per-round medians. Redis and PostgreSQL are real servers started here.

Run: python3 bench/session_latency.py [--requests 1500] [--rounds 3] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import machine, write_section  # noqa: E402
from tests.support.stores import STORES, running_store  # noqa: E402

FRAMEWORKS = ("Flask", "Quart")
SECTION = "session-latency"

WORKER = r"""
import json, statistics, sys, time
project, backend, store_json, requests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path[:0] = [project]
from tests.fake_logto import FakeLogto
from tests.flows import sign_in
from tests.page_client import PageClient
from logto_web_app import create_app
from logto_kit.settings import Settings

store = {k: (v if k != "session_dir" else __import__("pathlib").Path(v))
         for k, v in json.loads(store_json).items()}
with FakeLogto() as logto:
    settings = Settings(logto.endpoint, "test-app", "test-secret", "k" * 40,
                        "http://localhost:3000", session_backend=backend, **store)
    client = PageClient(create_app(settings))
    sign_in(client, logto)
    assert client.get("/profile").status == 200  # fetches and caches userinfo
    for _ in range(200):
        client.get("/profile")
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        page = client.get("/profile")
        timings.append(time.perf_counter() - start)
        assert page.status == 200
    client.close()
print(json.dumps({"median_ms": statistics.median(timings) * 1000}))
"""

STORE_SETTINGS = {"REDIS_URL": "redis_url", "DATABASE_URL": "database_url"}


def bake(out: Path, framework: str, backend: str) -> Path:
    from cookiecutter.main import cookiecutter

    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        saved = os.dup(1)
        os.dup2(devnull.fileno(), 1)
        try:
            project = cookiecutter(
                str(ROOT),
                no_input=True,
                output_dir=str(out),
                extra_context={"web_framework": framework, "session_backend": backend},
            )
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    return Path(project)


def measure(project: Path, backend: str, store: dict[str, str], requests: int) -> float:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(project), backend, json.dumps(store), str(requests)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise SystemExit(f"error: measuring {project.name} ({backend}) failed:\n{result.stderr}")
    return float(json.loads(result.stdout.strip().splitlines()[-1])["median_ms"])


def new_database(server_url: str, name: str) -> str:
    """Create database `name` on the PostgreSQL server of `server_url`; return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "bench_{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=f"bench_{name}").render_as_string(False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    options = parser.parse_args()

    results: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        base = Path(scratch)
        # One store each, so that the two frameworks' runs never read each other's records.
        stores: dict[tuple[str, str], dict[str, str]] = {}
        for _backend, store in STORES:
            env = stack.enter_context(running_store(store, base / f"server-{store}"))
            for framework in FRAMEWORKS:
                name = framework.lower()
                values = {STORE_SETTINGS[key]: value for key, value in env.items()}
                if store == "postgresql":
                    values = {"database_url": new_database(values["database_url"], name)}
                if store == "sqlite":
                    values = {"database_url": f"sqlite:///{base / f'{name}.sqlite3'}"}
                if store == "filesystem":
                    values = {"session_dir": str(base / f"sessions-{name}")}
                stores[(framework, store)] = values
        projects = {
            (framework, backend): bake(base / f"{framework}-{backend}", framework, backend)
            for framework in FRAMEWORKS
            for backend in dict(STORES)  # one bake per backend (sqlalchemy serves two stores)
        }
        for _ in range(options.rounds):
            for framework in FRAMEWORKS:
                for backend, store in STORES:
                    project = projects[(framework, backend)]
                    values = stores[(framework, store)]
                    timing = measure(project, backend, values, options.requests)
                    results.setdefault((framework, store), []).append(timing)

    lines = [
        "## Session backends: added latency per signed-in request",
        "",
        f"`python3 bench/session_latency.py --requests {options.requests} "
        f"--rounds {options.rounds} --write` — {machine()}.",
        "",
        "Median time of `GET /profile` (signed in, userinfo cached) through the framework's "
        "test client, median of the per-round medians; rounds interleave the backends. "
        "Goal: each server-side backend adds at most 1 ms over the cookie backend.",
        "",
        "| Framework | Store | Median per request | Added vs cookie | Goal ≤ 1 ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for framework in FRAMEWORKS:
        cookie = statistics.median(results[(framework, "cookie")])
        for _, store in STORES:
            value = statistics.median(results[(framework, store)])
            added = value - cookie
            verdict = "—" if store == "cookie" else ("met" if added <= 1.0 else "missed")
            lines.append(
                f"| {framework} | {store} | {value:.3f} ms | {added:+.3f} ms | {verdict} |"
            )
    report = "\n".join(lines)
    print(report)
    if options.write:
        write_section(SECTION, report)


if __name__ == "__main__":
    main()

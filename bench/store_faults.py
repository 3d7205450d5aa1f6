"""What a signed-in user sees while the session store fails, and how soon the app recovers,
for each framework and server-side store - one run, one machine.

Each combination is baked and signed in through the in-process Logto look-alike its tests
use; the store is real (Redis and PostgreSQL started here), and each fault is staged as the
baked tests stage it (tests/session_store.py's `outage`: a proxy that hangs or drops every
connection, a session folder that cannot be written). For each fault: the status of the
first page and how long it took, the median time of the next pages while it lasts, and the
time from the store's return to the first signed-in page.

Run: python3 bench/store_faults.py [--pages 20] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import machine, write_section  # noqa: E402
from bench.session_latency import bake  # noqa: E402
from tests.support.stores import running_store  # noqa: E402

FRAMEWORKS = ("Flask", "Quart")
#: (session_backend, store that tests/support/stores.py starts)
STORES = [("redis", "redis"), ("sqlalchemy", "postgresql"), ("filesystem", "filesystem")]
SETTING = {"REDIS_URL": "redis_url", "DATABASE_URL": "postgres_url"}
SECTION = "store-faults"

# Runs in a fresh interpreter per bake (every bake names its package logto_web_app); the
# baked tests' fixtures are plain functions under pytest's decorator (`__wrapped__`).
WORKER = r"""
import contextlib, dataclasses, json, statistics, sys, tempfile, time
from pathlib import Path
project, backend, server_url, pages = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path[:0] = [project]
from tests.fake_logto import FakeLogto
from tests.flows import sign_in
from tests.page_client import PageClient
from tests import session_store
from logto_web_app import create_app
from logto_kit.settings import Settings

def timed(client, path="/"):
    started = time.perf_counter()
    page = client.get(path)
    return page, (time.perf_counter() - started) * 1000

with contextlib.ExitStack() as stack, FakeLogto() as logto:
    outage_fixture = session_store.outage.__wrapped__
    if backend == "filesystem":
        outage = outage_fixture(Path(tempfile.mkdtemp()) / "sessions")
    else:
        outage = stack.enter_context(contextlib.contextmanager(outage_fixture)(server_url))
    settings = Settings(logto.endpoint, "test-app", "test-secret", "k" * 40,
                        "http://localhost:3000", session_backend=backend, **outage.settings)
    client = PageClient(create_app(settings))
    results = {}
    for name, fault in outage.faults.items():
        sign_in(client, logto)
        assert "Alice Example" in client.get("/").text
        fault.begin()
        first, first_ms = timed(client)
        later = [timed(client)[1] for _ in range(pages)]
        fault.end()
        back_at = time.perf_counter()
        while True:
            page, _ = timed(client)
            if page.status == 200:
                break
        results[name] = {
            "first_status": first.status,
            "first_ms": first_ms,
            "median_ms": statistics.median(later),
            "back_ms": (time.perf_counter() - back_at) * 1000,
            "kept": "Alice Example" in page.text,
        }
    client.close()
print(json.dumps(results))
"""


def measure(project: Path, backend: str, server_url: str, pages: int) -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(project), backend, server_url, str(pages)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise SystemExit(f"error: measuring {project.name} ({backend}) failed:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=20, help="pages timed during each fault")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    options = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as stack:
        base = Path(scratch)
        for backend, store in STORES:
            env = stack.enter_context(running_store(store, base / f"server-{store}"))
            server_url = next(iter(env.values()), "")
            for framework in FRAMEWORKS:
                project = bake(base / f"{framework}-{backend}", framework, backend)
                for fault, figures in measure(project, backend, server_url, options.pages).items():
                    rows.append((framework, store, fault, figures))

    lines = [
        "## Session store faults: what users see, and recovery",
        "",
        f"`python3 bench/store_faults.py --pages {options.pages} --write` — {machine()}.",
        "",
        "A signed-in `GET /` through the framework's test client while the store fails (faults "
        "staged as the baked tests stage them: a proxy in front of the real Redis/PostgreSQL "
        "that hangs or drops every connection; a session folder replaced by a file), then "
        "after it returns. Goal: the app's own 503 page within ~2 s, every page; back by "
        "itself, no restart.",
        "",
        "| Framework | Store | Fault | First page | Its time | Median of the next "
        f"{options.pages} | Back after the store returns | Session kept |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for framework, store, fault, f in rows:
        lines.append(
            f"| {framework} | {store} | {fault} | {f['first_status']} | {f['first_ms']:.0f} ms "
            f"| {f['median_ms']:.0f} ms | {f['back_ms']:.0f} ms | {'yes' if f['kept'] else 'no'} |"
        )
    report = "\n".join(lines)
    print(report)
    if options.write:
        write_section(SECTION, report)


if __name__ == "__main__":
    main()

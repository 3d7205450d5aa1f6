"""Time the template: bake time (CLI and in-process), each bake's own test suite, and the
template's whole test suite. Prints a Markdown report; `--write` saves it as
docs/benchmarks.md. Run: python3 bench/template_timings.py --write
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from cookiecutter.main import cookiecutter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.report import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = ("Flask", "Quart")


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def bake_cli(out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", str(ROOT), "-o", str(out)],
        check=True,
        capture_output=True,
    )


def bake_in_process(out: Path, framework: str = "Flask") -> Path:
    with hook_output_discarded():
        return Path(
            cookiecutter(
                str(ROOT),
                no_input=True,
                output_dir=str(out),
                extra_context={"web_framework": framework},
            )
        )


@contextlib.contextmanager
def hook_output_discarded() -> Iterator[None]:
    """The hooks run as child processes writing to fd 1; keep the report clean."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def run_tests(args: list[str], cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15, help="bakes per measurement")
    parser.add_argument("--skip-suite", action="store_true", help="skip the full template suite")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    options = parser.parse_args()

    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        cli = [timed(lambda i=i: bake_cli(base / f"cli{i}")) for i in range(options.rounds)]
        rows.append(
            (
                "`cookiecutter --no-input .` (CLI, new interpreter)",
                f"{statistics.median(cli) * 1000:.0f} ms median, {min(cli) * 1000:.0f} ms min",
                f"{options.rounds} runs",
            )
        )
        inner = [
            timed(lambda i=i: bake_in_process(base / f"api{i}")) for i in range(options.rounds)
        ]
        rows.append(
            (
                "bake in-process (`cookiecutter()` API, render + hooks)",
                f"{statistics.median(inner) * 1000:.0f} ms median",
                f"{options.rounds} runs",
            )
        )
        for framework in FRAMEWORKS:
            project = bake_in_process(base / f"suite-{framework}", framework)
            seconds = timed(lambda project=project: run_tests([], project))
            rows.append(
                (f"baked {framework} project's own test suite", f"{seconds:.1f} s", "1 run")
            )
    if not options.skip_suite:
        seconds = timed(lambda: run_tests(["-n", "auto"], ROOT))
        rows.append(
            (
                "template suite, `python3 -m pytest -n auto` (all, incl. E2E)",
                f"{seconds:.1f} s",
                "1 run",
            )
        )
        seconds = timed(lambda: run_tests(["-n", "auto", "-m", "not e2e"], ROOT))
        rows.append(
            ('template suite without browser tests (`-m "not e2e"`)', f"{seconds:.1f} s", "1 run")
        )

    report = "\n".join(
        [
            "## Bake and test-suite times",
            "",
            "Recorded by `python3 bench/template_timings.py --write` (one run, same machine).",
            "",
            f"Machine: {machine()}, {platform.system()}.",
            "",
            "| What | Time | Runs |",
            "| --- | --- | --- |",
            *(f"| {what} | {value} | {runs} |" for what, value, runs in rows),
            "",
            "Goal (issue: foundation): a default bake well under a second. Most of the CLI time is "
            "starting Python and importing cookiecutter; each hook runs as its own Python process. "
            "The template suite's time is dominated by the baked projects' own suites and the "
            "browser runs, spread over `-n auto` workers.",
            "",
        ]
    )
    print(report)
    if options.write:
        write_section("template-timings", report)


if __name__ == "__main__":
    main()

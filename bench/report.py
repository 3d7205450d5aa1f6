"""Write one script's section of docs/benchmarks.md, leaving the other sections alone."""

from __future__ import annotations

import contextlib
import os
import platform
import re
from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = (
    "# Benchmarks\n\nEach section below is written by the script it names; re-run it to refresh.\n"
)


def write_section(name: str, markdown: str) -> None:
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text}\n{block}\n"
    REPORT.write_text(text, encoding="utf-8")


def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else the machine type."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> str:
    """The machine a benchmark ran on, for its report line."""
    return f"{cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}"

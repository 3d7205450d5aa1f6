"""Every bake's package passes bandit, and no dependency it installs has a known vulnerability.

bandit runs once per bake, on the package only (not its tests). pip-audit runs once for all
bakes: every distinct dependency set - the declared dependencies and everything they pull in,
at the versions installed here, so pip never has to resolve anything - audited together, each
package asked about once. pip-audit asks PyPI's vulnerability API
(https://pypi.org/pypi/<name>/<version>/json): when it cannot answer, the test fails, since an
audit that did not happen must not pass.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.bakes import COMBINATIONS, combination_id, run

BANDIT_FAILING_SEVERITIES = ("MEDIUM", "HIGH")
PIP_AUDIT_TIMEOUT_SECONDS = 300


def bake(cookies_session: Any, answers: dict[str, Any]) -> Path:
    result = cookies_session.bake(extra_context=answers)
    assert result.exit_code == 0, result.exception
    return Path(result.project_path)


@pytest.fixture(scope="module", params=COMBINATIONS, ids=combination_id)
def baked(request: pytest.FixtureRequest, cookies_session: Any) -> tuple[dict[str, Any], Path]:
    answers: dict[str, Any] = request.param
    return answers, bake(cookies_session, answers)


def package_dirs(project: Path) -> list[Path]:
    """The packages the bake ships: the app's own and the template's machinery (logto_kit)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert "logto_kit" in packages and len(packages) == 2, packages
    return [project / str(package) for package in packages]


def declared_dependencies(project: Path) -> list[str]:
    """The bake's runtime and dev requirements, as written in its pyproject.toml."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    project_table = pyproject["project"]
    return sorted(
        project_table["dependencies"] + project_table["optional-dependencies"].get("dev", [])
    )


def installed_closure(requirements: list[str]) -> dict[str, str]:
    """name -> installed version of `requirements` and all they require (extras included)."""
    versions: dict[str, str] = {}
    extras_done: dict[str, set[str]] = {}
    pending = [(Requirement(line), "the bake") for line in requirements]
    while pending:
        requirement, wanted_by = pending.pop()
        name = canonicalize_name(requirement.name)
        first_visit = name not in versions
        new_extras = set(requirement.extras) - extras_done.get(name, set())
        if not first_visit and not new_extras:
            continue
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"{requirement} (required by {wanted_by}) is not installed here")
        versions[name] = distribution.version
        extras_done.setdefault(name, set()).update(new_extras)
        contexts = ([""] if first_visit else []) + sorted(new_extras)
        for line in distribution.requires or []:
            sub = Requirement(line)
            if any(
                sub.marker.evaluate({"extra": extra}) if sub.marker else extra == ""
                for extra in contexts
            ):
                pending.append((sub, f"{name} {distribution.version}"))
    return versions


def describe_vulnerability(name: str, version: str, vulnerability: dict[str, Any]) -> str:
    aliases = ", ".join(vulnerability.get("aliases") or [])
    fixes = ", ".join(vulnerability.get("fix_versions") or [])
    summary = (vulnerability.get("description") or "").strip().split("\n")[0][:160]
    return (
        f"{name} {version}: {vulnerability['id']}{f' ({aliases})' if aliases else ''}, "
        f"{f'fixed in {fixes}' if fixes else 'no fixed release yet'}"
        f"{f': {summary}' if summary else ''}"
    )


def bakes_needing(combinations: list[str]) -> str:
    return "every bake" if len(combinations) == len(COMBINATIONS) else ", ".join(combinations)


# --- bandit ---------------------------------------------------------------------------------


def test_bandit_finds_no_medium_or_high_issue(baked: tuple[dict[str, Any], Path]) -> None:
    _, project = baked
    packages = [package.name for package in package_dirs(project)]
    result = run([sys.executable, "-m", "bandit", "-r", "-f", "json", "-q", *packages], cwd=project)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"bandit gave no report (exit {result.returncode}): {result.stderr[-2000:]}")
    assert report["errors"] == [], report["errors"]
    assert report["metrics"]["_totals"]["loc"] > 500, "bandit scanned (almost) nothing"
    findings = [
        f"{issue['filename'].removeprefix('./')}:{issue['line_number']}: "
        f"{issue['test_id']} {issue['issue_severity']} severity, {issue['issue_confidence']} "
        f"confidence: {issue['issue_text']}"
        for issue in report["results"]
        if issue["issue_severity"] in BANDIT_FAILING_SEVERITIES
    ]
    assert findings == [], "bandit findings:\n" + "\n".join(findings)


# --- dependency audit ----------------------------------------------------------------------


@pytest.mark.audit
def test_installed_dependencies_have_no_known_vulnerability(
    cookies_session: Any, tmp_path: Path
) -> None:
    """One audit of every package any bake installs (each distinct set once, all together)."""
    needed_by: dict[str, list[str]] = {}  # package -> the combinations that install it
    versions: dict[str, str] = {}
    closures: dict[tuple[str, ...], dict[str, str]] = {}
    for answers in COMBINATIONS:
        declared = tuple(declared_dependencies(bake(cookies_session, answers)))
        if declared not in closures:
            closures[declared] = installed_closure(list(declared))
        versions.update(closures[declared])
        for name in closures[declared]:
            needed_by.setdefault(name, []).append(combination_id(answers))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "".join(f"{name}=={version}\n" for name, version in sorted(versions.items())),
        encoding="utf-8",
    )
    report_path = tmp_path / "pip-audit.json"
    result = run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--no-deps",  # the file is the whole, pinned set: nothing to resolve
            "--disable-pip",
            "--vulnerability-service",
            "pypi",
            "--format",
            "json",
            "--output",
            str(report_path),
            "--progress-spinner",
            "off",
        ],
        cwd=tmp_path,
        timeout=PIP_AUDIT_TIMEOUT_SECONDS,
    )
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last_lines = "\n".join(result.stderr.strip().splitlines()[-3:])
        pytest.fail(
            f"pip-audit wrote no report (exit {result.returncode}), so {len(versions)} "
            "dependencies were not audited; could it reach PyPI's vulnerability API "
            f"(https://pypi.org/pypi/<name>/<version>/json)?\n{last_lines}"
        )
    audited = {canonicalize_name(entry["name"]): entry for entry in report["dependencies"]}
    assert set(audited) == set(versions), "pip-audit did not report every dependency"

    unaudited = sorted(
        (entry["skip_reason"], f"{name} {versions[name]}")
        for name, entry in audited.items()
        if "skip_reason" in entry
    )
    if unaudited:
        pytest.fail(
            f"pip-audit could not audit {len(unaudited)} of {len(versions)} dependencies: PyPI's "
            "vulnerability API (https://pypi.org/pypi/<name>/<version>/json) did not answer for "
            f"them (offline, or a mirror without that API?). First: {unaudited[0][0]}. All: "
            + ", ".join(dependency for _, dependency in unaudited)
        )
    vulnerable = [
        describe_vulnerability(name, entry["version"], vulnerability)
        + f" [in {bakes_needing(needed_by[name])}]"
        for name, entry in sorted(audited.items())
        for vulnerability in entry.get("vulns", [])
    ]
    assert vulnerable == [], "known vulnerabilities in installed dependencies:\n" + "\n".join(
        vulnerable
    )
    assert result.returncode == 0, result.stderr[-2000:]

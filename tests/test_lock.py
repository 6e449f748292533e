"""The lock (requirements/lock.txt): what CI and the tests install, and honest ranges.

The golden site depends on the exact releases of Markdown and Jinja2, and
reproducible output promises the same bytes, so every machine tests the versions
in the lock; ``invoke drift`` tries the newest ones before the lock moves.
"""

from __future__ import annotations

import os
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements" / "lock.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    return [r for r in map(Requirement, wanted) if r.name != "newsdigest"]


def test_every_declared_dependency_is_locked_inside_its_range():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in the lock: run `invoke lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"the lock has {name}=={pins[name]}, outside {requirement}"
        )


def test_lower_bounds_are_releases_the_suite_ran_with():
    """A lower bound below the locked release was never tested: when the lock
    moves on (`invoke lock --upgrade`), the bound moves with it."""
    pins = locked()
    for requirement in declared():
        pinned = pins[canonicalize_name(requirement.name)]
        for spec in requirement.specifier:
            if spec.operator == ">=":
                assert spec.version == pinned, (
                    f"{requirement}: the suite runs with {pinned}; write >={pinned}"
                )


@pytest.mark.skipif(
    bool(os.environ.get("NEWSDIGEST_DRIFT")), reason="invoke drift leaves the lock"
)
def test_the_installed_releases_are_the_locked_ones():
    """The README's test command installs with the lock; a machine that did not
    would test other releases than CI does."""
    different = []
    for name, version in locked().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # locked for another platform or Python, or not needed here
        if installed != version:
            different.append(f"{name} {installed} (lock: {version})")
    assert not different, "installed outside the lock: " + ", ".join(different)


def test_ci_runs_the_readme_test_command_with_the_lock():
    readme = (REPO / "README.md").read_text()
    command = next(
        line for line in readme.splitlines() if line.endswith("python3 -m pytest")
    )
    assert "-c requirements/lock.txt" in command
    assert command in (REPO / ".ci" / "run").read_text().splitlines()

"""This repository's development tasks: tests, benchmarks and the dependency lock.

They need the checkout (``tests/``, ``benchmarks/``, ``requirements/``), so they
live apart from ``tasks.py``, which is also every site's: ``tasks.py`` imports
them only where this file exists, and a site made by ``newsdigest init`` lists
only the tasks that work there.
"""

from __future__ import annotations

import shlex
import sys
import tempfile
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).parent
LOCK = ROOT / "requirements" / "lock.txt"
# One platform and interpreter, the ones CI runs: a lock for another machine is
# made by running this task there.
LOCK_TARGET = [
    "--python-version",
    "3.11",
    "--python-platform",
    "x86_64-unknown-linux-gnu",
]


@task(
    help={
        "items": "Size of the synthetic digest (default 1000).",
        "repeat": "Repetitions, interleaved across generators (default 1).",
        "generators": "Comma-separated subset of newsdigest,pelican,hugo.",
        "devserver": "Instead: save -> page shows it and start -> first page, "
        "`invoke livereload` against `hugo server` (benchmarks/livereload.py).",
    }
)
def bench(
    c, items=1000, repeat=1, generators="newsdigest,pelican,hugo", devserver=False
):
    """Time cold, warm and incremental builds against vanilla Pelican and Hugo.

    Writes benchmarks/results/bench-N.json and the Benchmark section of
    docs/performance.md (see benchmarks/bench.py). With --devserver, the dev
    servers in headless Chromium instead (timings printed).
    """
    with c.cd(str(ROOT)):
        if devserver:
            for server in ("newsdigest", "hugo"):
                c.run(
                    f"{sys.executable} -m benchmarks.livereload --items "
                    f"{int(items)} --server {server}",
                    pty=False,
                )
            return
        c.run(
            f"{sys.executable} -m benchmarks.bench --items {int(items)} "
            f"--repeat {int(repeat)} --generators {shlex.quote(generators)}",
            pty=False,
        )


@task(
    help={
        "args": "Extra pytest arguments, e.g. '-k feeds'.",
        "fast": "The inner loop: leave out the tests marked slow.",
    }
)
def test(c, args="", fast=False):
    """Run the test suite (all of it, as CI does, unless --fast)."""
    marks = ["-m", "not slow"] if fast else []
    c.run(shlex.join([sys.executable, "-m", "pytest", *marks, *shlex.split(args)]))


def _compile_lock(c, output: Path, *extra: str) -> None:
    command = [
        sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml",
        "--all-extras", *LOCK_TARGET, "--quiet", "-o", str(output), *extra,
    ]  # fmt: skip
    with c.cd(str(ROOT)):
        c.run(shlex.join(command), pty=False)


@task(help={"upgrade": "Take the newest releases the ranges allow."})
def lock(c, upgrade=False):
    """Write requirements/lock.txt, the versions CI and the tests install.

    Without --upgrade, versions already in the lock are kept where pyproject.toml
    still allows them; run `invoke drift` before `invoke lock --upgrade`.
    """
    _compile_lock(c, LOCK, *(["--upgrade"] if upgrade else []))
    print(f"Wrote {LOCK.relative_to(ROOT)}; commit it with the change that needs it.")


@task(help={"args": "Extra pytest arguments (default: the whole suite)."})
def drift(c, args=""):
    """Run the suite in a new virtual environment against the newest releases
    that pyproject.toml allows, not the lock.

    Run it before `invoke lock --upgrade`: a failure here is a release that would
    break the suite (or CI on a fresh machine) once it is locked.
    """
    with tempfile.TemporaryDirectory(prefix="newsdigest-drift-") as tmp:
        venv = Path(tmp) / "venv"
        python = str(venv / "bin" / "python")
        c.run(shlex.join([sys.executable, "-m", "venv", str(venv)]), pty=False)
        install = ["--upgrade", "--upgrade-strategy", "eager"]
        with c.cd(str(ROOT)):
            c.run(
                shlex.join(
                    [python, "-m", "pip", "install", "-q", *install, "-e", ".[test]"]
                ),
                pty=False,
            )
            c.run(shlex.join([python, "-m", "pip", "list", "--format=freeze"]))
            result = c.run(
                shlex.join([python, "-m", "pytest", *shlex.split(args)]),
                env={"NEWSDIGEST_DRIFT": "1"},
                pty=False,
                warn=True,
            )
    if result is None or result.failed:
        raise Exit("The suite fails against these releases: see above.", code=1)

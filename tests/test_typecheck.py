"""The type checker and the dead-code finder pass on src/ (CONTRIBUTING.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True
    )


def test_mypy_finds_no_errors_in_src():
    done = _run("mypy")  # files and options from [tool.mypy] in pyproject.toml
    assert done.returncode == 0, done.stdout + done.stderr


def test_vulture_finds_no_dead_code_in_src():
    done = _run("vulture", "src", "vulture_whitelist.py", "--min-confidence", "80")
    assert done.returncode == 0, done.stdout + done.stderr

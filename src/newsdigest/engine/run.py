"""Run a Pelican build of a newsdigest project, in-process or as a subprocess.

The invoke tasks, ``newsdigest check`` and the tests all build through here, so
they build exactly what ``pelican content -s <settings>`` builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from newsdigest.problems import DigestError, Report


def pelican_command(
    settings_file: str | os.PathLike[str],
    *,
    content: str = "content",
    overrides: Mapping[str, Any] | None = None,
    extra: list[str] | None = None,
) -> list[str]:
    """The ``pelican`` command line for a build (``-e`` takes JSON values).

    All overrides follow one ``-e``: Pelican keeps only the last ``-e`` given."""
    command = [sys.executable, "-m", "pelican", content, "-s", str(settings_file)]
    if overrides:
        command.append("-e")
        command += [f"{key}={json.dumps(value)}" for key, value in overrides.items()]
    return command + (extra or [])


def run_pelican(
    project: Path,
    settings_file: str = "pelicanconf.py",
    *,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    extra: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Build in a subprocess; return the finished process with its output."""
    return subprocess.run(
        pelican_command(settings_file, overrides=overrides, extra=extra),
        cwd=project,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def build_in_process(
    project: Path, settings_file: str, overrides: Mapping[str, Any] | None = None
) -> Report:
    """Build in this process; return the content report (raises nothing for
    content problems: they come back in the report)."""
    from pelican import Pelican
    from pelican.settings import read_settings

    cwd = os.getcwd()
    os.chdir(project)
    try:
        settings = read_settings(settings_file, override=dict(overrides or {}))
        try:
            Pelican(settings).run()
        except DigestError as exc:
            if not exc.report.problems:
                raise
            return exc.report
        from newsdigest.engine.runstate import STATE

        return STATE.last_report
    finally:
        os.chdir(cwd)

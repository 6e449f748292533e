"""What every ``newsdigest`` command shares: its options and reading settings.

The commands live with their features (``newsdigest.cli`` for the site,
``newsdigest.editions.cli`` for editions); the ``--project`` and ``-s`` options
and the reading of a settings file are written once, here, so that each
command says the same thing the same way.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from newsdigest.problems import DigestError, Report
from newsdigest.settings import raise_if_errors, site_settings_problems


def project_option(help: str) -> Any:
    """``--project``: the digest's folder, for every command that works on one."""
    return click.option(
        "--project",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        default=".",
        show_default=True,
        help=help,
    )


def settings_option(default: str, help: str) -> Any:
    """``-s/--settings``: the Pelican settings file a command reads."""
    return click.option(
        "-s", "--settings", default=default, show_default=True, help=help
    )


def format_option() -> Any:
    """``--format text|json``: a report for people, or for CI."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Report format; json is for CI.",
    )


def load_settings(project: Path, settings_file: str) -> dict[str, Any]:
    """Pelican settings as a build in ``project`` reads them; one-line errors.

    Settings files import each other from the current folder
    (``from pelicanconf import *``), so they are read from inside the project.
    """
    from pelican.settings import read_settings

    path = project / settings_file
    if not path.is_file():
        raise DigestError(
            f"No settings file {path}. Run from the project folder or pass "
            "--project and -s."
        )
    try:
        with contextlib.chdir(project):
            settings = read_settings(str(path.resolve()))
    except Exception as error:  # the user's Python: any error, said in one line
        raise DigestError(
            f"Cannot read the settings file {path}: {type(error).__name__}: {error}. "
            f"Fix it (try `python {path.name}`), then run the command again."
        ) from None
    # The same check as a build's, before any command sends or uploads anything.
    raise_if_errors(
        Report(site_settings_problems(settings, shown=str(path))),
        "The settings are invalid",
    )
    return settings

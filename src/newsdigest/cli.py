"""The ``newsdigest`` command: curator tools that are not a Pelican build.

``newsdigest check`` validates a project the way a production build does, but
writes nothing a reader can see: it builds into a temporary folder, runs every
site check on it and prints one report (text for people, JSON for CI).
``newsdigest deploy`` ships the published build; ``invoke deploy`` runs the same
``deploy_published``.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from newsdigest import __version__
from newsdigest.build import build_in_process
from newsdigest.deploy import DeployResult, deploy
from newsdigest.problems import DigestError, Report


@click.group()
@click.version_option(__version__, prog_name="newsdigest")
def cli() -> None:
    """newsdigest: build, check and publish a static news digest."""


@cli.command()
@click.option(
    "-s",
    "--settings",
    default="publishconf.py",
    show_default=True,
    help="Pelican settings file to check with.",
)
@click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=".",
    show_default=True,
    help="Folder holding content/ and the settings file.",
)
@click.option(
    "--site",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Check an already built site folder instead of building one.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format; json is for CI.",
)
def check(settings: str, project: Path, site: Path | None, fmt: str) -> None:
    """Validate content and the built site; exit 1 on any error.

    Checks front matter (every problem at once, with file:line, field and fix),
    duplicate output paths and source URLs, images without alt text, then the
    built pages: internal links and anchors, missing assets, feeds against the
    W3C Feed Validation Service's rules, and HTML validity.
    """
    from newsdigest.sitecheck import check_site

    report = Report()
    with tempfile.TemporaryDirectory(prefix="newsdigest-check-") as tmp:
        if site is None:
            site = Path(tmp) / "site"
            overrides = {
                "OUTPUT_PATH": str(site),
                "DIGEST_PUBLISH": {"staging": False, "checks": [], "precompress": []},
            }
            report.extend(build_in_process(project, settings, overrides).problems)
        if not report.errors and site.is_dir():
            site_url = _site_url(project, settings)
            report.extend(check_site(site, site_url=site_url).problems)
    click.echo(report.format_json() if fmt == "json" else report.format_text())
    sys.exit(1 if report.errors else 0)


def _site_url(project: Path, settings_file: str) -> str:
    from pelican.settings import read_settings

    from newsdigest.feeds import feed_settings

    settings = read_settings(str(project / settings_file))
    return settings.get("SITEURL") or feed_settings(settings)["base_url"]


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
            return read_settings(str(path.resolve()))
    except Exception as error:  # the user's Python: any error, said in one line
        raise DigestError(
            f"Cannot read the settings file {path}: {type(error).__name__}: {error}. "
            f"Fix it (try `python {path.name}`), then deploy again."
        ) from None


def deploy_published(
    project: Path, settings_file: str, target: str, *, dry_run: bool = False
) -> DeployResult:
    """Deploy the build ``OUTPUT_PATH`` points at, gated by its manifest.

    What ``newsdigest deploy`` and ``invoke deploy`` both run."""
    settings = load_settings(project, settings_file)
    output = Path(settings["OUTPUT_PATH"])
    return deploy(
        output.resolve(),
        settings,
        target,
        dry_run=dry_run,
        settings_file=project / settings_file,
    )


@cli.command(name="deploy")
@click.argument("target")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.option(
    "-s",
    "--settings",
    default="publishconf.py",
    show_default=True,
    help="Settings file holding DIGEST_DEPLOY (the one the build was made with).",
)
@click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=".",
    show_default=True,
    help="Folder holding the settings file and the published output.",
)
def deploy_command(target: str, dry_run: bool, settings: str, project: Path) -> None:
    """Deploy the published build to TARGET, a name in DIGEST_DEPLOY["targets"].

    Only a production build (`invoke publish`) that passed every site check and
    whose files still match the manifest it wrote is deployed; anything else is
    refused with the reason and exit status 1.
    """
    try:
        result = deploy_published(project, settings, target, dry_run=dry_run)
    except DigestError as error:
        click.echo(f"newsdigest deploy: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo(
            "newsdigest deploy: interrupted. Remote files are deleted only after "
            "every upload succeeded; deploy again to finish.",
            err=True,
        )
        sys.exit(130)
    click.echo(result.summary())


def main() -> None:
    cli()


def _register_edition_commands() -> None:
    """Editions' commands live in newsdigest.edition_cli; registered here once."""
    from newsdigest.edition_cli import edition_group, send_edition_command

    cli.add_command(edition_group)
    cli.add_command(send_edition_command)


_register_edition_commands()

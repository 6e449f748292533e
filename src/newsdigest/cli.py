"""The ``newsdigest`` command: curator tools that are not a Pelican build.

``newsdigest check`` validates a project the way a production build does, but
writes nothing a reader can see: it builds into a temporary folder, runs every
site check on it and prints one report (text for people, JSON for CI).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from newsdigest import __version__
from newsdigest.build import build_in_process
from newsdigest.problems import Report


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
@click.option(
    "--html5/--no-html5",
    default=True,
    show_default=True,
    help="Check markup with the full HTML5 parser (html5lib), or as a build does.",
)
def check(
    settings: str, project: Path, site: Path | None, fmt: str, html5: bool
) -> None:
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
            report.extend(check_site(site, site_url=site_url, html5=html5).problems)
    click.echo(report.format_json() if fmt == "json" else report.format_text())
    sys.exit(1 if report.errors else 0)


def _site_url(project: Path, settings_file: str) -> str:
    from pelican.settings import read_settings

    from newsdigest.feeds import feed_settings

    settings = read_settings(str(project / settings_file))
    return settings.get("SITEURL") or feed_settings(settings)["base_url"]


def main() -> None:
    cli()

"""The ``newsdigest`` command: curator tools that are not a Pelican build.

``newsdigest check`` validates a project the way a production build does, but
writes nothing a reader can see: it builds into a temporary folder, runs every
site check on it and prints one report (text for people, JSON for CI).
``new``, ``add`` and ``ingest`` write drafts; their logic lives in
``newsdigest.curate`` and these commands only parse options and print.
"""

from __future__ import annotations

import datetime as dt
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


PROJECT = click.option(
    "--project",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=".",
    show_default=True,
    help="The digest's folder (holding content/).",
)


def _catalogue(project: Path):
    from newsdigest.curate.catalogue import load_catalogue

    catalogue = load_catalogue(project)
    errors = [p for p in catalogue.problems if p.is_error]
    if errors:
        raise click.ClickException(str(errors[0]))
    return catalogue


def _now() -> dt.datetime:
    """Now, in the machine's timezone, with its offset written out."""
    return dt.datetime.now().astimezone().replace(microsecond=0)


def _tags(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


@cli.command()
@click.argument("title")
@click.option("--topic", required=True, help="A topic slug from content/topics.yml.")
@click.option("--source", help="The outlet's name, e.g. 'teleSUR English'.")
@click.option("--url", help="The original's address (http or https).")
@click.option("--tags", help="Comma-separated tags, e.g. 'Russia,NATO'.")
@PROJECT
def new(
    title: str,
    topic: str,
    source: str | None,
    url: str | None,
    tags: str | None,
    project: Path,
) -> None:
    """Write a draft item titled TITLE and print its path.

    The draft has every front matter key, `status: draft`, and a slug fixed
    now (editing the headline later keeps the address). It goes to
    content/items/<date>-<slug>.md; an existing file is never overwritten.
    Keys you did not give hold placeholders to replace before publishing.
    """
    from newsdigest.curate.drafts import DraftExists
    from newsdigest.curate.new import NewError, new_draft

    catalogue = _catalogue(project)
    try:
        path, placeholders = new_draft(
            catalogue,
            title,
            topic=topic,
            now=_now(),
            source=source,
            url=url,
            tags=_tags(tags),
        )
    except (NewError, DraftExists) as error:
        raise click.ClickException(str(error)) from None
    for known, where in catalogue.similar_titles(title):
        if where != path:
            click.echo(
                f"warning: similar title in {catalogue.shown(where)}: {known!r}",
                err=True,
            )
    click.echo(catalogue.shown(path))
    click.echo("fill in: " + ", ".join(placeholders), err=True)


@cli.command()
@click.argument("target", metavar="URL|FILE")
@click.option("--topic", help="Topic slug; default: suggested from the page's section.")
@click.option(
    "--url",
    help="Where a saved file was published; for a URL, overrides its canonical.",
)
@click.option(
    "--source",
    help="The outlet's name; default: as in earlier items, the page's site name "
    "or the domain.",
)
@click.option("--tags", help="Comma-separated tags to add to the suggested ones.")
@click.option(
    "--timeout",
    type=float,
    default=15.0,
    show_default=True,
    help="Seconds to wait for a page.",
)
@PROJECT
def add(
    target: str,
    topic: str | None,
    url: str | None,
    source: str | None,
    tags: str | None,
    timeout: float,
    project: Path,
) -> None:
    """Import one article as a draft and print its path.

    URL|FILE is a web address (fetched: http(s) only, redirects followed,
    size and time limits), a saved page (.html) or a page captured as plain
    text (.txt). The draft gets the title, source, cleaned source_url, dates,
    authors, a summary to rewrite, the image with alt text and credit, a
    suggested topic and tags from the digest's own, and two or three short
    attributed quotes, never the full text. An article already in the digest
    is refused with the path of its item. Exits 1 with one line on failure.
    """
    from newsdigest.curate.add import AddError
    from newsdigest.curate.add import add as add_article

    catalogue = _catalogue(project)
    try:
        added = add_article(
            catalogue,
            target,
            now=_now(),
            topic=topic,
            url=url,
            source=source,
            tags=_tags(tags),
            timeout=timeout,
        )
    except AddError as error:
        raise click.ClickException(str(error)) from None
    for warning in added.warnings:
        click.echo(f"warning: {warning}", err=True)
    for note in added.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(catalogue.shown(added.path))


@cli.command()
@click.option(
    "--dry-run", is_flag=True, help="Fetch and report; write no draft and no state."
)
@click.option(
    "--sources",
    "sources_file",
    default="content/sources.yml",
    show_default=True,
    help="The sources file, relative to the project.",
)
@click.option(
    "--timeout",
    type=float,
    default=15.0,
    show_default=True,
    help="Seconds to wait for each feed.",
)
@PROJECT
def ingest(dry_run: bool, sources_file: str, timeout: float, project: Path) -> None:
    """Turn new entries of the source feeds in content/sources.yml into drafts.

    Feeds are fetched with conditional requests (ETag and Last-Modified are
    remembered in .newsdigest/ingest-state.json); an entry whose link is
    already in the digest is skipped. Prints one line per source: new,
    skipped as duplicates, or failed with the reason. A failing source does
    not stop the others; the exit status is 1 if any failed.
    """
    from newsdigest.curate.ingest import ingest as run_ingest
    from newsdigest.curate.ingest import load_sources

    catalogue = _catalogue(project)
    path = project / sources_file
    if not path.is_file():
        raise click.ClickException(
            f"{sources_file} does not exist: list the sources to follow there "
            "(see README, Curator workflow)"
        )
    sources, problems = load_sources(path, sources_file, catalogue.topics)
    if problems:
        report = Report(problems)
        click.echo(report.format_text(), err=True)
        sys.exit(1)
    results = run_ingest(
        catalogue, sources, now=_now(), dry_run=dry_run, timeout=timeout
    )
    for result in results:
        click.echo(result.line())
        for shown in result.new:
            click.echo(f"  {'would write' if dry_run else 'wrote'} {shown}")
        for shown in result.duplicates:
            click.echo(f"  skipped {shown}")
        for warning in result.warnings:
            click.echo(f"  warning: similar title: {warning}")
    sys.exit(1 if any(r.failed for r in results) else 0)


def main() -> None:
    cli()

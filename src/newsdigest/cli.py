"""The ``newsdigest`` command: curator tools that are not a Pelican build.

``newsdigest check`` validates a project the way a production build does, but
writes nothing a reader can see: it builds into a temporary folder, runs every
site check on it and prints one report (text for people, JSON for CI).
``newsdigest deploy`` ships the published build; ``invoke deploy`` runs the same
``deploy_published``.
``new``, ``add`` and ``ingest`` write drafts; their logic lives in
``newsdigest.curate`` and these commands only parse options and print.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from newsdigest import __version__
from newsdigest.commands import (
    format_option,
    load_settings,
    project_option,
    settings_option,
)
from newsdigest.deploy import DeployResult, deploy
from newsdigest.engine.run import build_in_process
from newsdigest.model.addresses import PUBLISHED_OUTPUT
from newsdigest.problems import DigestError, Problem, Report, printable
from newsdigest.scaffold import init, theme


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to stdout meanwhile to stderr, also by
    subprocesses (file descriptor 1 itself is redirected), so that the report
    is the only thing on stdout and CI can parse it."""
    sys.stdout.flush()
    try:
        saved: int | None = os.dup(1)
        os.dup2(2, 1)
    except OSError:  # no file descriptors to redirect (embedded use)
        saved = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


@click.group()
@click.version_option(__version__, prog_name="newsdigest")
def cli() -> None:
    """newsdigest: build, check and publish a static news digest."""


@cli.command()
@settings_option(
    "publishconf.py",
    "Pelican settings file to check with.",
)
@project_option("Folder holding content/ and the settings file.")
@click.option(
    "--site",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Check an already built site folder instead of building one.",
)
@format_option()
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
    report = Report()
    with stdout_to_stderr():
        try:
            _check(report, settings, project, site, html5=html5)
        except DigestError as error:
            report.extend(error.report.problems)
            if not error.report.errors:
                report.add(_failure(settings, str(error).splitlines()[0]))
        except OSError as error:
            from newsdigest.publishing.staging import os_problem

            report.add(_failure(settings, os_problem(error)))
        except Exception as error:
            report.add(_failure(settings, f"{type(error).__name__}: {error}"))
    click.echo(report.format_json() if fmt == "json" else report.format_text())
    sys.exit(1 if report.errors else 0)


def _failure(settings: str, message: str) -> Problem:
    return Problem(
        settings,
        message=f"The check could not run: {message}",
        fix=f"Build with `pelican content -s {settings}` to see the full output.",
        check="build",
    )


def _check(
    report: Report, settings: str, project: Path, site: Path | None, *, html5: bool
) -> None:
    from newsdigest.feeds.plan import feeds_config
    from newsdigest.sitecheck import check_site

    if site is None and not (project / settings).is_file():
        raise DigestError(
            f"there is no settings file {project / settings} (pass one with -s)"
        )
    config = load_settings(project, settings) if (project / settings).is_file() else {}
    with tempfile.TemporaryDirectory(prefix="newsdigest-check-") as tmp:
        if site is None:
            site = Path(tmp) / "site"
            overrides = {
                "OUTPUT_PATH": str(site),
                "DIGEST_PUBLISH": {"staging": False, "checks": [], "precompress": []},
                # Addresses are compared with the published site's (aliases).
                PUBLISHED_OUTPUT: str(project / config["OUTPUT_PATH"]),
            }
            report.extend(build_in_process(project, settings, overrides).problems)
        if not report.errors and site.is_dir():
            site_url = config and (
                config.get("SITEURL") or feeds_config(config)["base_url"]
            )
            report.extend(
                check_site(site, site_url=site_url or "", html5=html5).problems
            )


# A digest of your own: `newsdigest init`, `newsdigest theme copy`.
cli.add_command(init)
cli.add_command(theme)


def deploy_published(
    project: Path, settings_file: str, target: str, *, dry_run: bool = False
) -> DeployResult:
    """Deploy the build ``OUTPUT_PATH`` points at, gated by its manifest.

    What ``newsdigest deploy`` and ``invoke deploy`` both run."""
    from newsdigest.publishing.staging import build_lock
    from newsdigest.settings import publish_config

    settings = load_settings(project, settings_file)
    output = Path(settings["OUTPUT_PATH"])
    # A build finishing meanwhile would prune the folder being uploaded.
    with build_lock(output, publish_config(settings)["lock_timeout"]):
        return deploy(
            output.resolve(),
            settings,
            target,
            dry_run=dry_run,
            settings_file=project / settings_file,
        )


@cli.command(name="deploy", short_help="Deploy the published build to a target.")
@click.argument("target")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@settings_option(
    "publishconf.py",
    "Settings file holding DIGEST_DEPLOY (the one the build was made with).",
)
@project_option("Folder holding the settings file and the published output.")
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


PROJECT = project_option("The digest's folder (holding content/).")
ALLOW_PRIVATE_NETWORK = click.option(
    "--allow-private-network",
    is_flag=True,
    help="Also fetch from loopback, private and intranet addresses (never "
    "link-local or cloud metadata); by default only public internet addresses.",
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


def _say(text: str, *, err: bool = False) -> None:
    """Print one line of curate output: page and feed text reaches it (titles,
    sections, captions, addresses), so it is made printable first."""
    click.echo(printable(text), err=err)


def _refuse(error: Exception) -> click.ClickException:
    return click.ClickException(printable(str(error)))


ARCHIVE_ON_IMPORT = click.option(
    "--archive/--no-archive",
    default=None,
    help="Look up a snapshot of each original as it is imported (a short "
    'lookup, no capture); default: DIGEST_ARCHIVE["on_import"] in pelicanconf.py.',
)


def _snapshots_on_import(
    project: Path, archive: bool | None, paths: list[Path]
) -> None:
    """Record existing snapshots in the drafts just written, if asked to."""
    if archive is False or not paths:
        return
    from newsdigest.links.archive import snapshot_on_import

    try:
        config, _ = _link_settings(project, "pelicanconf.py")
    except DigestError as error:
        _say(f"note: no snapshots looked up: {error}", err=True)
        return
    if archive is None and not config["on_import"]:
        return
    for path in paths:
        _say(f"note: {path.name}: {snapshot_on_import(config, path)}", err=True)


def _tags(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


@cli.command()
@click.argument("title")
@click.option(
    "--topic",
    required=True,
    help="A topic of content/topics.yml, by slug or name.",
)
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
        raise _refuse(error) from None
    for known, where in catalogue.similar_titles(title):
        if where != path:
            _say(
                f"warning: similar title in {catalogue.shown(where)}: {known!r}",
                err=True,
            )
    _say(catalogue.shown(path))
    _say("fill in: " + ", ".join(placeholders), err=True)


@cli.command()
@click.argument("target", metavar="URL|FILE")
@click.option(
    "--topic",
    help="A topic, by slug or name; default: suggested from the page's section.",
)
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
@ALLOW_PRIVATE_NETWORK
@ARCHIVE_ON_IMPORT
@PROJECT
def add(
    target: str,
    topic: str | None,
    url: str | None,
    source: str | None,
    tags: str | None,
    timeout: float,
    allow_private_network: bool,
    archive: bool | None,
    project: Path,
) -> None:
    """Import one article as a draft and print its path.

    URL|FILE is a web address (fetched: http(s) only, redirects followed,
    size and time limits, public internet addresses only unless
    --allow-private-network), a saved page (.html) or a page captured as plain
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
            allow_private_network=allow_private_network,
        )
    except AddError as error:
        raise _refuse(error) from None
    for warning in added.warnings:
        _say(f"warning: {warning}", err=True)
    for note in added.notes:
        _say(f"note: {note}", err=True)
    _snapshots_on_import(project, archive, [added.path])
    _say(catalogue.shown(added.path))


@cli.command(short_help="Write drafts from new entries of the source feeds.")
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
@ALLOW_PRIVATE_NETWORK
@ARCHIVE_ON_IMPORT
@PROJECT
def ingest(
    dry_run: bool,
    sources_file: str,
    timeout: float,
    allow_private_network: bool,
    archive: bool | None,
    project: Path,
) -> None:
    """Turn new entries of the source feeds in content/sources.yml into drafts.

    Feeds are fetched with conditional requests (ETag and Last-Modified are
    remembered in .newsdigest/ingest-state.json); an entry whose link is
    already in the digest is skipped. Prints one line per source: new,
    skipped as duplicates, or failed with the reason. A failing source does
    not stop the others; the exit status is 1 if any failed. Feeds are
    fetched from public internet addresses only, unless the source says
    `allow_private_network: true` or --allow-private-network is given.
    """
    from newsdigest.curate.ingest import ingest as run_ingest
    from newsdigest.model.sources import load_sources

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
    try:
        results = run_ingest(
            catalogue,
            sources,
            now=_now(),
            dry_run=dry_run,
            timeout=timeout,
            allow_private_network=allow_private_network,
        )
    except OSError as error:  # a full disk, a folder not ours (.newsdigest/)
        from newsdigest.publishing.staging import os_problem

        raise click.ClickException(
            f"ingest stopped: {os_problem(error)}. Drafts written so far are kept; "
            "an entry already drafted is skipped next time. Fix the folder (free "
            "space, or remove a .newsdigest/ you do not own) and ingest again."
        ) from None
    for result in results:
        _say(result.line())
        for shown in result.new:
            _say(f"  {'would write' if dry_run else 'wrote'} {shown}")
        for shown in result.duplicates:
            _say(f"  skipped {shown}")
        for warning in result.warnings:
            _say(f"  warning: similar title: {warning}")
    if not dry_run:
        _snapshots_on_import(
            project, archive, [project / shown for r in results for shown in r.new]
        )
    sys.exit(1 if any(r.failed for r in results) else 0)


def _link_settings(project: Path, settings_file: str) -> tuple[Any, Path]:
    """``DIGEST_ARCHIVE`` and the content folder; defaults without a settings file."""
    from newsdigest.links.config import archive_config

    settings: dict[str, Any] = {}
    if (project / settings_file).is_file():
        settings = load_settings(project, settings_file)
    return archive_config(settings), project / "content"


LINK_SETTINGS = settings_option(
    "pelicanconf.py", "Settings file holding DIGEST_ARCHIVE."
)


@cli.command(
    name="archive",
    short_help="Record a snapshot of each published original (archive_url).",
)
@click.option(
    "--dry-run", is_flag=True, help="List what would be asked for; write nothing."
)
@click.option("--limit", type=click.IntRange(min=1), help="Archive at most N items.")
@ALLOW_PRIVATE_NETWORK
@LINK_SETTINGS
@PROJECT
def archive_command(
    dry_run: bool,
    limit: int | None,
    allow_private_network: bool,
    settings: str,
    project: Path,
) -> None:
    """Ask the archive (DIGEST_ARCHIVE) for a snapshot of each published item's
    original, and write it to the item as archive_url and archive_date.

    Items without archive_url are the queue, so a stopped run resumes where it
    was. An existing snapshot is reused; new captures are rate-limited and
    retried on 429 and 5xx. Exits 1 if any item failed (one line each).
    """
    from newsdigest.links.archive import ArchiveService, archive_items
    from newsdigest.links.items import LinkedItem, published_items

    try:
        config, content = _link_settings(project, settings)
    except DigestError as error:
        raise _refuse(error) from None
    if allow_private_network:
        config = {**config, "allow_private_network": True}
    failed = 0
    queue: list[LinkedItem] = []
    for found in published_items(content):
        if isinstance(found, LinkedItem):
            if found.archive_url is None:
                queue.append(found)
        else:
            _say(f"failed content/{found.key}: {found.reason}", err=True)
            failed += 1
    queue = queue[:limit] if limit else queue
    service = ArchiveService(config)
    outcomes = archive_items(service, queue, dry_run=dry_run)
    try:
        for number, outcome in enumerate(outcomes, 1):
            where = f"[{number}/{len(queue)}] "
            if dry_run:
                _say(f"{where}would ask for content/{outcome.key} ({outcome.url})")
            elif outcome.error:
                failed += 1
                _say(f"{where}failed content/{outcome.key}: {outcome.error}", err=True)
            else:
                how = "archived" if outcome.new else "found snapshot for"
                _say(f"{where}{how} content/{outcome.key}")
    except KeyboardInterrupt:
        _say(
            "newsdigest archive: interrupted; every snapshot found so far is "
            "written. Run it again to go on.",
            err=True,
        )
        sys.exit(130)
    if not queue:
        _say("Every published item has a snapshot.")
    sys.exit(1 if failed else 0)


@cli.command(
    name="linkcheck",
    short_help="Check every original and record what became of it.",
)
@format_option()
@click.option(
    "--fail-on",
    type=click.Choice(["gone", "moved", "unreachable"]),
    multiple=True,
    help="Exit 1 if any original has this status (repeatable).",
)
@ALLOW_PRIVATE_NETWORK
@LINK_SETTINGS
@PROJECT
def linkcheck_command(
    fmt: str,
    fail_on: tuple[str, ...],
    allow_private_network: bool,
    settings: str,
    project: Path,
) -> None:
    """Check every published item's original and record what became of it in
    content/links.yml (ok, moved, gone, unreachable), which the build reads.

    An original is gone only after two checks at least
    DIGEST_ARCHIVE["gone_after_days"] apart found 404/410 or no such domain.
    """
    from newsdigest.links.items import LinkedItem, published_items
    from newsdigest.links.linkcheck import check_links, link_problems
    from newsdigest.links.linksfile import read_links, write_links

    try:
        config, content = _link_settings(project, settings)
    except DigestError as error:
        raise _refuse(error) from None
    links_path = content / config["links_file"]
    shown = f"content/{config['links_file']}"
    previous, problems = read_links(links_path, shown)
    report = Report(problems)
    items = [i for i in published_items(content) if isinstance(i, LinkedItem)]

    def progress(done: int, total: int, item: LinkedItem, record: Any) -> None:
        _say(f"[{done}/{total}] {record.status} content/{item.key}", err=True)

    try:
        records = check_links(
            items,
            previous,
            config,
            today=_now().date(),
            allow_private_network=allow_private_network,
            progress=progress,
        )
    except KeyboardInterrupt:
        _say("newsdigest linkcheck: interrupted; links.yml is unchanged.", err=True)
        sys.exit(130)
    write_links(links_path, records)
    report.extend(link_problems(items, records, "content"))
    click.echo(report.format_json() if fmt == "json" else report.format_text())
    failing = [r for r in records.values() if r.status in fail_on]
    sys.exit(1 if failing else 0)


def main() -> None:
    cli()


def _register_edition_commands() -> None:
    """Editions' commands live in newsdigest.editions.cli; registered here once."""
    from newsdigest.editions.cli import edition_group, send_edition_command

    cli.add_command(edition_group)
    cli.add_command(send_edition_command)


_register_edition_commands()

"""``newsdigest edition next`` and ``newsdigest send-edition``: curator tools.

``edition next`` prepares the coming edition's note (number and period pinned,
the items published since the previous edition listed to pick highlights from)
and never overwrites a note. ``send-edition`` sends the ``email.eml`` a build
wrote, so what readers get is exactly what the site's checks saw.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Any

import click

from newsdigest.commands import load_settings, project_option, settings_option
from newsdigest.editions.model import build_editions, editions_settings
from newsdigest.editions.newsletter import read_message, send_message
from newsdigest.editions.notes import left_for_next, next_note_text, read_notes
from newsdigest.editions.periods import id_example, parse_period_id, period_of, zone
from newsdigest.feeds.formats import FORMATS
from newsdigest.filemodes import PUBLIC_DIR, PUBLIC_FILE, make_dirs, write_new_file
from newsdigest.model.frontmatter import FrontMatterError, read_source, split
from newsdigest.model.schema import LABELS, truncate_slug, validate_item
from newsdigest.model.spellings import title_slug
from newsdigest.model.topics import load_topics
from newsdigest.problems import DigestError
from newsdigest.settings import content_settings

logger = logging.getLogger(__name__)


class ItemRecord:
    """What the curator tools need of an item: no Pelican objects."""

    def __init__(self, date: dt.datetime, slug: str, title: str, topic: str) -> None:
        self.date, self.slug, self.title, self.topic = date, slug, title, topic


def editions_config(settings: dict[str, Any]) -> dict[str, Any]:
    config, report = editions_settings(settings, FORMATS)
    if report.errors:
        first = report.errors[0]
        raise DigestError(f"{first.field} {first.message} Fix: {first.fix}")
    if config["period"] == "off":
        raise DigestError(
            "Editions are off. Fix: set DIGEST_EDITIONS = {'period': 'weekly'} "
            "(or 'daily') in the settings file."
        )
    return config


def published_items(settings: dict[str, Any], notes_dir: str) -> list[ItemRecord]:
    """Published items as the build reads them (same schema, same timezone).

    Files with problems are skipped here; the build reports them."""
    root = Path(settings["PATH"]).resolve()
    content, _ = content_settings(settings)
    labels = content["labels"] if isinstance(content["labels"], dict) else LABELS
    topics, _ = load_topics(root / content["topics_file"], content["topics_file"])
    items: list[ItemRecord] = []
    for folder in settings.get("ARTICLE_PATHS") or [""]:
        for path in sorted((root / folder).rglob("*.md")):
            if path.relative_to(root).parts[0] in (notes_dir, *settings["PAGE_PATHS"]):
                continue
            try:
                doc = split(read_source(path, str(path)), str(path))
            except FrontMatterError:
                continue
            checked = validate_item(
                doc,
                topics,
                timezone=settings["TIMEZONE"],
                authority=content["id_authority"] or "example.org,2026",
                labels=labels,
            )
            values = checked.values
            if not checked.ok or values.get("status", "published") != "published":
                continue
            # The address the reader gives it (newsdigest.model.spellings), cut alike.
            slug = values.get("slug") or truncate_slug(
                title_slug(values["title"], settings)
            )
            items.append(
                ItemRecord(values["date"], slug, values["title"], values["topic"])
            )
    return items


def write_next_note(
    settings: dict[str, Any], today: dt.date | None = None
) -> tuple[Path, str]:
    """Write the note of the edition holding ``today``; return its path and a
    one-line report. Refuses to overwrite."""
    config = editions_config(settings)
    kind, tz = config["period"], zone(settings["TIMEZONE"])
    root = Path(settings["PATH"]).resolve()
    folder = root / config["notes_dir"]
    notes, problems = read_notes(folder, f"{root.name}/{config['notes_dir']}", kind)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DigestError(f"{errors[0]} Fix the note first.")
    items = published_items(settings, config["notes_dir"])
    now = (
        dt.datetime.now(tz)
        if today is None
        else dt.datetime.combine(today, dt.time(12), tz)
    )
    target = period_of(now, kind, tz)
    path = folder / f"{target.id}.md"
    shown = f"{root.name}/{config['notes_dir']}/{path.name}"
    if path.exists():
        raise DigestError(
            f"{shown} already exists; newsdigest never overwrites a note. "
            "Fix: edit it, or remove it to start again."
        )
    editions, _ = build_editions(items, kind, tz, [], notes)
    before = [e for e in editions if e.period < target]
    same = [e for e in editions if e.period == target]
    previous = before[-1] if before else None
    number = same[0].number if same else (previous.number + 1 if previous else 1)
    since = previous.period.end(tz) if previous else None
    fresh = sorted(
        (i for i in items if since is None or i.date >= since),
        key=lambda i: (i.date, i.slug),
    )
    # Items dated after this edition's period belong to the next one.
    later = [i for i in fresh if period_of(i.date, kind, tz) > target]
    listed = [i for i in fresh if i not in later]
    make_dirs(folder, PUBLIC_DIR)
    text = next_note_text(number, target, listed, tz, later=len(later))
    write_new_file(path, text, PUBLIC_FILE)
    after = f" since No. {previous.number}" if previous else ""
    left = f" {left_for_next(len(later))}" if later else ""
    return path, (
        f"wrote {shown}: No. {number}, {target.words()}, "
        f"{len(listed)} item(s){after} listed to pick highlights from.{left}"
    )


def send_built_edition(
    settings: dict[str, Any],
    edition_id: str,
    recipients: list[str],
    *,
    dry_run: bool = False,
) -> str:
    """Send ``OUTPUT_PATH/<edition>/email.eml``; return the report line."""
    config = editions_config(settings)
    period = parse_period_id(edition_id, config["period"])
    if period is None:
        raise DigestError(
            f"'{edition_id}' is not a {config['period']} edition id. "
            f"Fix: use one like {id_example(config['period'])}."
        )
    save_as = settings.get("EDITION_SAVE_AS", "editions/{id}/index.html")
    folder = Path(settings["OUTPUT_PATH"]) / Path(save_as.format(id=period.id)).parent
    eml = folder / "email.eml"
    if not eml.is_file():
        raise DigestError(
            f"No built edition {period.id} ({eml} is missing). Fix: check the id "
            "(editions with no items are not published) and build first "
            "(invoke publish)."
        )
    message = read_message(eml)
    result = send_message(
        message, recipients, config, edition=period.id, dry_run=dry_run
    )
    return result.summary()


@click.group(name="edition")
def edition_group() -> None:
    """Prepare editions (see DIGEST_EDITIONS)."""


_project = project_option("Folder holding content/ and the settings file.")


@edition_group.command(
    name="next", short_help="Write the next edition's note, listing its items."
)
@settings_option("pelicanconf.py", "Settings file holding DIGEST_EDITIONS.")
@_project
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="A day in the edition to prepare (default: today in TIMEZONE).",
)
def next_command(settings: str, project: Path, day: dt.datetime | None) -> None:
    """Write the next edition's note: number, period and the items since the
    previous edition to pick highlights from. Never overwrites a note."""
    try:
        loaded = load_settings(project, settings)
        loaded["PATH"] = str((project / loaded["PATH"]).resolve())
        _, line = write_next_note(loaded, day.date() if day else None)
    except DigestError as error:
        click.echo(f"newsdigest edition next: {error}", err=True)
        sys.exit(1)
    click.echo(line)


@click.command(name="send-edition", short_help="Send a built edition by email.")
@click.argument("edition_id", metavar="ID")
@click.option(
    "--to",
    "recipients",
    multiple=True,
    required=True,
    help="Recipient address (repeat for a list; sent as one message).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send nothing.")
@settings_option(
    "publishconf.py",
    "Settings file of the build holding the edition (and DIGEST_EDITIONS).",
)
@_project
def send_edition_command(
    edition_id: str,
    recipients: tuple[str, ...],
    dry_run: bool,
    settings: str,
    project: Path,
) -> None:
    """Send edition ID (e.g. 2021-W52) as built, through SMTP.

    Host, port, STARTTLS and user come from DIGEST_EDITIONS; the password only
    from the environment variable named by smtp_password_env."""
    try:
        loaded = load_settings(project, settings)
        loaded["OUTPUT_PATH"] = str(project / loaded["OUTPUT_PATH"])
        line = send_built_edition(loaded, edition_id, list(recipients), dry_run=dry_run)
    except DigestError as error:
        click.echo(f"newsdigest send-edition: {error}", err=True)
        sys.exit(1)
    click.echo(line)

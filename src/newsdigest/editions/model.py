"""Editions as data: settings, grouping items into periods, numbers, highlights.

Pure functions over plain objects (anything with ``date``, ``slug`` and
``topic``), so the rules are tested without Pelican; ``newsdigest.plugins.editions``
only feeds them Pelican's articles and writes the pages.

Numbering rule, and why it is stable: an edition's number is the number pinned
in its note file (``number:``, written by ``newsdigest edition next``), else one
more than the previous published edition's number, starting at 1. Without
notes this is the count of non-empty periods up to the edition. Items only
join the current period, so published numbers stay put; the one way to move
them (back-dating an item into an empty past period, or deleting the only item
of a past edition) is blocked by pinning: a pinned number never moves, and a
pinned number that is not greater than the previous edition's is an error that
names the note's line.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdigest.editions.newsletter import (
    ADDRESS_FIX,
    header_text_problem,
    header_url_problem,
    mailbox,
)
from newsdigest.editions.notes import Note
from newsdigest.editions.periods import KINDS, Period, period_of
from newsdigest.feeds.formats import FORMATS
from newsdigest.problems import Problem, Report
from newsdigest.settings import (
    Config,
    feature_config,
    merge,
    raise_if_errors,
    setting_problem,
)
from newsdigest.urls import is_absolute_http_url, is_mailto

logger = logging.getLogger(__name__)

SETTING = "DIGEST_EDITIONS"
EDITIONS_DEFAULTS: dict[str, Any] = {
    "period": "off",  # "off", "daily" or "weekly" (ISO weeks)
    "home_latest": True,  # the home page shows the latest edition
    "notes_dir": "editions",  # editors' notes, relative to content/
    "feed_formats": ["atom", "rss", "json"],
    "email": True,  # write email.html, email.txt and email.eml per edition
    "email_max_items": 40,  # the rest are "N more on the web" (Gmail's 102 KB)
    "email_from": None,  # "Name <address>"; default SITENAME <editions@host>
    "reply_to": None,
    "unsubscribe_url": None,  # https:// or mailto: -> List-Unsubscribe
    "smtp_host": "localhost",
    "smtp_port": 587,
    "smtp_starttls": True,
    "smtp_user": None,
    "smtp_password_env": "NEWSDIGEST_SMTP_PASSWORD",
    "smtp_timeout": 30,
}
#: Gmail clips messages over 102 KB; stay clear of it.
EMAIL_MAX_BYTES = 102 * 1024


def editions_settings(
    settings: dict[str, Any], known_formats: Iterable[str] = ("atom", "rss", "json")
) -> tuple[dict[str, Any], Report]:
    """``DIGEST_EDITIONS`` merged over its defaults and checked, once per run."""
    report = Report()
    config = merge(SETTING, EDITIONS_DEFAULTS, settings, report)

    def bad(key: str, message: str, fix: str) -> None:
        report.add(setting_problem(SETTING, key, message, fix))

    if config["period"] not in ("off", *KINDS):
        bad(
            "period",
            f"{config['period']!r} is not an edition period.",
            "Use 'off', 'daily' or 'weekly'.",
        )
    known = list(known_formats)
    unknown = [f for f in config["feed_formats"] if f not in known]
    if unknown:
        bad(
            "feed_formats",
            f"{unknown} are not feed formats.",
            "Use any of: " + ", ".join(known) + ".",
        )
    port = config["smtp_port"]
    if not 1 <= port <= 65535:
        bad("smtp_port", f"{port} is not a TCP port.", "Use 587 (STARTTLS) or 465.")
    notes_dir = config["notes_dir"]
    if (
        not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", notes_dir)
        or ".." in notes_dir
    ):
        bad(
            "notes_dir",
            f"{notes_dir!r} is not a folder name inside content/.",
            "Use a plain folder name such as 'editions'.",
        )
    if config["email_max_items"] < 1:
        bad("email_max_items", "must be at least 1.", "Use e.g. 40.")
    if config["smtp_timeout"] <= 0:
        bad("smtp_timeout", "must be above 0.", "Use a number of seconds, e.g. 30.")
    unsubscribe = config["unsubscribe_url"]
    if unsubscribe is not None and not (
        isinstance(unsubscribe, str)
        and (is_absolute_http_url(unsubscribe) or is_mailto(unsubscribe))
    ):
        bad(
            "unsubscribe_url",
            f"{unsubscribe!r} is not an https:// or mailto: address.",
            "Use the page or address where readers unsubscribe, "
            "e.g. 'https://digest.example.org/unsubscribe/'.",
        )
    elif unsubscribe is not None and header_url_problem(unsubscribe):
        bad(
            "unsubscribe_url",
            f"{unsubscribe[:80]!r} {header_url_problem(unsubscribe)}: it goes "
            "into the List-Unsubscribe header.",
            "Percent-encode those characters (%20, %3D%3F).",
        )
    for key in ("email_from", "reply_to", "smtp_user"):
        value = config[key]
        if value is not None and (not isinstance(value, str) or not value.strip()):
            bad(key, "must be text.", "Remove it or write a value.")
        elif isinstance(value, str) and key != "smtp_user":
            try:
                mailbox(value)  # the From and Reply-To headers: one mailbox
            except ValueError as error:
                bad(
                    key,
                    f"{value[:80]!r} {error}.",
                    ADDRESS_FIX[0].upper() + ADDRESS_FIX[1:],
                )
        elif isinstance(value, str) and header_text_problem(value):
            bad(key, f"{header_text_problem(value)}.", "Write it on one line.")
    env = config["smtp_password_env"]
    if not isinstance(env, str) or not env.isidentifier():
        bad(
            "smtp_password_env",
            f"{env!r} is not an environment variable name.",
            "Name the variable holding the SMTP password, e.g. "
            "'NEWSDIGEST_SMTP_PASSWORD'. Passwords never go in settings files.",
        )
    return config, report


@dataclass
class TopicGroup:
    """An edition's items on one topic, newest first."""

    topic: Any
    items: list[Any]


@dataclass
class Edition:
    """One published edition: a period that has items."""

    period: Period
    number: int
    items: list[Any]  # newest first
    title: str = ""
    intro_html: str = ""
    highlights: list[Any] = field(default_factory=list)
    groups: list[TopicGroup] = field(default_factory=list)
    topics: list[Any] = field(default_factory=list)  # of all items, display order
    note: Note | None = None
    previous: Edition | None = field(default=None, repr=False)
    next: Edition | None = field(default=None, repr=False)
    # filled in by the plugin from EDITION_URL / EDITION_SAVE_AS
    url: str = ""
    save_as: str = ""

    @property
    def id(self) -> str:
        return self.period.id

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def words(self) -> str:
        return self.period.words()

    @property
    def date(self) -> dt.datetime:
        """The newest item's date: when the edition last grew (feeds, sorting)."""
        return max(item.date for item in self.items)


def checked_editions_settings(settings: dict[str, Any]) -> dict[str, Any]:
    config, report = editions_settings(settings, FORMATS)
    raise_if_errors(report, "DIGEST_EDITIONS is invalid")
    return config


def editions_config(settings: dict[str, Any]) -> Config:
    """``DIGEST_EDITIONS``, checked once per run."""
    return feature_config(settings, SETTING, checked_editions_settings)


def _newest_first(items: Iterable[Any]) -> list[Any]:
    return sorted(
        items,
        key=lambda i: (-i.date.timestamp(), str(getattr(i, "slug", ""))),
    )


def group_by_topic(
    items: Sequence[Any], topic_order: Sequence[str]
) -> list[TopicGroup]:
    """Items grouped by topic in the topics' display order (topics.yml ``order``).

    A topic missing from ``topic_order`` (cannot happen after validation) goes
    last, so no item is ever dropped."""
    rank = {slug: index for index, slug in enumerate(topic_order)}
    groups: dict[str, TopicGroup] = {}
    for item in items:
        topic = item.topic
        slug = getattr(topic, "slug", topic)
        if slug not in groups:
            groups[slug] = TopicGroup(topic, [])
        groups[slug].items.append(item)
    return [
        groups[slug]
        for slug in sorted(groups, key=lambda s: (rank.get(s, len(rank)), s))
    ]


def build_editions(
    items: Iterable[Any],
    kind: str,
    tz: dt.tzinfo,
    topic_order: Sequence[str],
    notes: dict[str, Note] | None = None,
) -> tuple[list[Edition], list[Problem]]:
    """Editions oldest first, numbered, linked, grouped; and the notes' problems.

    An empty period has no edition; a note for one is a warning (nothing to
    publish yet), a highlight naming an item outside its edition is an error."""
    notes = notes or {}
    by_period: dict[Period, list[Any]] = {}
    for item in items:
        by_period.setdefault(period_of(item.date, kind, tz), []).append(item)
    problems: list[Problem] = []
    editions: list[Edition] = []
    previous: Edition | None = None
    for period in sorted(by_period):
        members = _newest_first(by_period[period])
        note = notes.get(period.id)
        number = (previous.number + 1) if previous else 1
        if note is not None and note.number is not None:
            if previous is not None and note.number <= previous.number:
                problems.append(
                    Problem(
                        note.path,
                        note.number_line,
                        "number",
                        f"No. {note.number} is not after the previous edition "
                        f"({previous.id}, No. {previous.number}).",
                        f"Use a number above {previous.number}; published numbers "
                        "never go down.",
                    )
                )
            number = note.number
        edition = Edition(period, number, members, note=note)
        edition.title = (note.title if note and note.title else None) or (
            period.short_words()
        )
        if note is not None:
            edition.intro_html = note.intro_html
            edition.highlights = _highlights(note, members, by_period, kind, problems)
        chosen = {id(item) for item in edition.highlights}
        rest = [item for item in members if id(item) not in chosen]
        edition.groups = group_by_topic(rest, topic_order)
        edition.topics = [g.topic for g in group_by_topic(members, topic_order)]
        if previous is not None:
            previous.next, edition.previous = edition, previous
        editions.append(edition)
        previous = edition
    for edition_id, note in sorted(notes.items()):
        if note.period not in by_period:
            problems.append(
                Problem(
                    note.path,
                    None,
                    None,
                    f"edition {edition_id} has no items, so it is not published.",
                    "Publish an item dated in its period, or remove the note.",
                    "warning",
                )
            )
    return editions, problems


def _highlights(
    note: Note,
    members: list[Any],
    by_period: dict[Period, list[Any]],
    kind: str,
    problems: list[Problem],
) -> list[Any]:
    by_slug = {item.slug: item for item in members}
    elsewhere = {
        item.slug: period.id
        for period, group in by_period.items()
        for item in group
        if period != note.period
    }
    chosen: list[Any] = []
    for slug, line in note.highlights:
        item = by_slug.get(slug)
        if item is None:
            where = (
                f"it is in edition {elsewhere[slug]}"
                if slug in elsewhere
                else "no published item has that slug"
            )
            problems.append(
                Problem(
                    note.path,
                    line or None,
                    "highlights",
                    f"'{slug}' is not an item of edition {note.id}: {where}.",
                    "Use the slug of an item dated in this "
                    f"{'week' if kind == 'weekly' else 'day'}; "
                    "`newsdigest edition next` lists them.",
                )
            )
        elif item not in chosen:
            chosen.append(item)
    return chosen

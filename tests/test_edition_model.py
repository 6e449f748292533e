"""Editions as data (newsdigest.editions.model): grouping, numbering, highlights
and notes, and the editions settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from newsdigest.editions.model import build_editions, editions_settings, group_by_topic
from newsdigest.editions.notes import read_notes
from newsdigest.editions.periods import WEEKLY
from tests.helpers import write_note

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def story(slug: str, date: str, topic: str = "world", **extra) -> SimpleNamespace:
    return SimpleNamespace(slug=slug, date=at(date), topic=topic, **extra)


def test_empty_periods_have_no_edition_and_numbers_count_published_ones() -> None:
    items = [
        story("a", "2021-12-06T10:00:00+00:00"),
        # 2021-W50 and W51 are empty
        story("b", "2021-12-27T10:00:00+00:00"),
        story("c", "2022-01-02T22:00:00+00:00"),
    ]
    editions, problems = build_editions(items, WEEKLY, UTC, ["world"])
    assert problems == []
    assert [(e.id, e.number, e.count) for e in editions] == [
        ("2021-W49", 1, 1),
        ("2021-W52", 2, 2),
    ]
    assert editions[1].previous is editions[0] and editions[0].next is editions[1]
    assert editions[0].previous is None and editions[1].next is None
    assert [i.slug for i in editions[1].items] == ["c", "b"]  # newest first


def test_an_item_updated_after_its_edition_stays_in_it() -> None:
    updated = story(
        "late-fix", "2021-12-31T09:00:00+00:00", updated=at("2022-01-20T09:00:00+00:00")
    )
    editions, _ = build_editions([updated], WEEKLY, UTC, ["world"])
    assert [e.id for e in editions] == ["2021-W52"]


def test_grouping_follows_the_topics_display_order() -> None:
    items = [
        story("s1", "2022-01-05T10:00:00+00:00", "science"),
        story("w1", "2022-01-04T10:00:00+00:00", "world"),
        story("s2", "2022-01-03T10:00:00+00:00", "science"),
    ]
    groups = group_by_topic(items, ["world", "science"])
    assert [(g.topic, [i.slug for i in g.items]) for g in groups] == [
        ("world", ["w1"]),
        ("science", ["s1", "s2"]),
    ]


def test_note_gives_title_intro_highlights_first_and_pinned_number(
    tmp_path: Path,
) -> None:
    write_note(
        tmp_path,
        "2022-W01.md",
        "---\nnumber: 7\ntitle: New year\nintro: Hello *readers*.\n"
        "highlights:\n  - s2\n---\n",
    )
    notes, problems = read_notes(tmp_path, "content/editions", WEEKLY)
    assert problems == []
    items = [
        story("old", "2021-12-01T10:00:00+00:00"),
        story("s1", "2022-01-05T10:00:00+00:00", "science"),
        story("s2", "2022-01-03T10:00:00+00:00", "science"),
        story("next", "2022-01-12T10:00:00+00:00"),
    ]
    editions, problems = build_editions(items, WEEKLY, UTC, ["world", "science"], notes)
    assert problems == []
    first, pinned, after = editions
    assert (first.number, pinned.number, after.number) == (1, 7, 8)
    assert pinned.title == "New year"
    assert pinned.intro_html == "<p>Hello <em>readers</em>.</p>"
    assert [i.slug for i in pinned.highlights] == ["s2"]
    assert [[i.slug for i in g.items] for g in pinned.groups] == [["s1"]]
    assert after.title == "Week 2, 2022"


def test_a_highlight_naming_a_missing_item_is_an_error_with_file_line_and_slug(
    tmp_path: Path,
) -> None:
    write_note(
        tmp_path,
        "2022-W01.md",
        "---\ntitle: New year\nhighlights:\n  - s1\n  - no-such-story\n  - old\n---\n",
    )
    notes, _ = read_notes(tmp_path, "content/editions", WEEKLY)
    items = [
        story("old", "2021-12-01T10:00:00+00:00"),
        story("s1", "2022-01-05T10:00:00+00:00"),
    ]
    _, problems = build_editions(items, WEEKLY, UTC, ["world"], notes)
    found = sorted((p.path, p.line, p.field, p.message) for p in problems)
    assert found == [
        (
            "content/editions/2022-W01.md",
            5,
            "highlights",
            "'no-such-story' is not an item of edition 2022-W01: "
            "no published item has that slug.",
        ),
        (
            "content/editions/2022-W01.md",
            6,
            "highlights",
            "'old' is not an item of edition 2022-W01: it is in edition 2021-W48.",
        ),
    ]
    assert all(p.is_error for p in problems)


def test_a_pinned_number_that_goes_down_is_an_error(tmp_path: Path) -> None:
    write_note(tmp_path, "2022-W01.md", "---\nnumber: 1\n---\n")
    notes, _ = read_notes(tmp_path, "content/editions", WEEKLY)
    items = [
        story("old", "2021-12-01T10:00:00+00:00"),
        story("s1", "2022-01-05T10:00:00+00:00"),
    ]
    _, problems = build_editions(items, WEEKLY, UTC, ["world"], notes)
    assert [(p.line, p.field, p.is_error) for p in problems] == [(2, "number", True)]


def test_a_note_for_an_empty_period_is_a_warning(tmp_path: Path) -> None:
    write_note(tmp_path, "2022-W10.md", "---\ntitle: Later\n---\n")
    notes, _ = read_notes(tmp_path, "content/editions", WEEKLY)
    _, problems = build_editions(
        [story("a", "2022-01-05T10:00:00+00:00")], WEEKLY, UTC, ["world"], notes
    )
    assert [(p.severity, "no items" in p.message) for p in problems] == [
        ("warning", True)
    ]


def test_settings_are_checked_once_with_the_key_and_the_fix() -> None:
    config, report = editions_settings({"DIGEST_EDITIONS": {"period": "weekly"}})
    assert not report.errors and config["smtp_port"] == 587
    _, report = editions_settings(
        {
            "DIGEST_EDITIONS": {
                "period": "monthly",
                "smtp_port": 70000,
                "unsubscribe_url": "javascript:alert(1)",
                "smtp_password_env": "not a name",
                "smtp_password": "hunter2",
                "feed_formats": ["atom", "xml"],
                "email_from": "a@b.example\nBcc: victim@example.org",
                "notes_dir": "../secrets",
            }
        }
    )
    fields = sorted(p.field for p in report.errors)
    assert fields == sorted(
        [
            'DIGEST_EDITIONS["period"]',
            'DIGEST_EDITIONS["smtp_port"]',
            'DIGEST_EDITIONS["unsubscribe_url"]',
            'DIGEST_EDITIONS["smtp_password_env"]',
            'DIGEST_EDITIONS["smtp_password"]',  # passwords never in settings
            'DIGEST_EDITIONS["feed_formats"]',
            'DIGEST_EDITIONS["email_from"]',
            'DIGEST_EDITIONS["notes_dir"]',
        ]
    )
    assert all(p.fix for p in report.errors)

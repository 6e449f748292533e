"""Editions as data: periods at their edges, grouping, numbering, highlights."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from newsdigest.edition_model import build_editions, editions_settings, group_by_topic
from newsdigest.edition_notes import read_note, read_notes
from newsdigest.periods import DAILY, WEEKLY, parse_period_id, period_of

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def story(slug: str, date: str, topic: str = "world", **extra) -> SimpleNamespace:
    return SimpleNamespace(slug=slug, date=at(date), topic=topic, **extra)


@pytest.mark.parametrize(
    ("moment", "kind", "tz", "expected"),
    [
        # midnight belongs to the day it starts
        ("2021-12-31T00:00:00+00:00", DAILY, UTC, "2021-12-31"),
        ("2021-12-30T23:59:59+00:00", DAILY, UTC, "2021-12-30"),
        # ISO weeks: Sunday 2 January 2022 closes 2021-W52, Monday opens 2022-W01
        ("2022-01-02T23:59:00+00:00", WEEKLY, UTC, "2021-W52"),
        ("2022-01-03T00:00:00+00:00", WEEKLY, UTC, "2022-W01"),
        # a year with 53 weeks: 1 January 2021 is in 2020-W53
        ("2021-01-01T12:00:00+00:00", WEEKLY, UTC, "2020-W53"),
        ("2020-12-31T12:00:00+00:00", WEEKLY, UTC, "2020-W53"),
        ("2021-01-04T00:00:00+00:00", WEEKLY, UTC, "2021-W01"),
        # the site's timezone decides, not UTC: 00:30 Monday in Berlin is
        # still Sunday in UTC, and opens the new week
        ("2022-01-02T23:30:00+00:00", WEEKLY, BERLIN, "2022-W01"),
        ("2022-01-02T23:30:00+00:00", WEEKLY, UTC, "2021-W52"),
        # and the other way round: 20:00 in New York on New Year's Eve is 1 January UTC
        ("2022-01-01T01:00:00+00:00", DAILY, NEW_YORK, "2021-12-31"),
        ("2022-01-01T01:00:00+00:00", DAILY, UTC, "2022-01-01"),
        # a date written with another offset is converted first
        ("2021-12-31T23:30:00-05:00", DAILY, UTC, "2022-01-01"),
    ],
)
def test_period_of_edges(moment: str, kind: str, tz, expected: str) -> None:
    assert period_of(at(moment), kind, tz).id == expected


def test_period_ids_round_trip_and_refuse_weeks_that_do_not_exist() -> None:
    assert parse_period_id("2020-W53", WEEKLY).first == dt.date(2020, 12, 28)
    assert parse_period_id("2021-W53", WEEKLY) is None  # 2021 has 52 ISO weeks
    assert parse_period_id("2021-02-30", DAILY) is None
    assert parse_period_id("../../etc", WEEKLY) is None
    assert parse_period_id("2021-12-31", WEEKLY) is None
    week = parse_period_id("2021-W52", WEEKLY)
    assert week.words() == "27 December 2021 \u2013 2 January 2022"
    assert week.following().id == "2022-W01"


def test_dst_day_is_one_local_day() -> None:
    """The day clocks go forward in Berlin still holds 00:00 to 24:00 local."""
    day = parse_period_id("2022-03-27", DAILY)
    length = day.end(BERLIN).astimezone(UTC) - day.start(BERLIN).astimezone(UTC)
    assert length == dt.timedelta(hours=23)
    assert period_of(at("2022-03-27T21:59:00+00:00"), DAILY, BERLIN).id == "2022-03-27"
    assert period_of(at("2022-03-27T22:00:00+00:00"), DAILY, BERLIN).id == "2022-03-28"


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


def write_note(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


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


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("2021-W53.md", "---\ntitle: x\n---\n", (None, None, "does not name")),
        ("2022-W01.md", "---\ncolour: red\n---\n", (2, "colour", "not a note key")),
        ("2022-W01.md", "---\nnumber: 0\n---\n", (2, "number", "whole number")),
        ("2022-W01.md", "---\nnumber: yes\n---\n", (2, "number", "whole number")),
        ("2022-W01.md", "---\nhighlights: a-slug\n---\n", (2, "highlights", "list")),
        ("2022-W01.md", "---\nhighlights:\n  - [x]\n---\n", (3, "highlights", "entry")),
        ("2022-W01.md", "---\ntitle: [1, 2]\n---\n", (2, "title", "line of text")),
        ("2022-W01.md", "---\ntitle: ok\n", (1, None, "never closed")),
    ],
)
def test_note_problems_name_file_line_and_field(
    tmp_path: Path, name: str, text: str, expected: tuple
) -> None:
    path = write_note(tmp_path, name, text)
    note, problems = read_note(path, f"content/editions/{name}", WEEKLY)
    assert note is None
    line, field, words = expected
    assert [(p.line, p.field) for p in problems] == [(line, field)]
    assert words in problems[0].message
    assert problems[0].path == f"content/editions/{name}"


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

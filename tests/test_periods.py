"""Edition periods (newsdigest.editions.periods): days and ISO weeks at their edges, in
the site's timezone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from newsdigest.editions.periods import DAILY, WEEKLY, parse_period_id, period_of

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


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


def test_dst_day_is_one_local_day() -> None:
    """The day clocks go forward in Berlin still holds 00:00 to 24:00 local."""
    day = parse_period_id("2022-03-27", DAILY)
    length = day.end(BERLIN).astimezone(UTC) - day.start(BERLIN).astimezone(UTC)
    assert length == dt.timedelta(hours=23)
    assert period_of(at("2022-03-27T21:59:00+00:00"), DAILY, BERLIN).id == "2022-03-27"
    assert period_of(at("2022-03-27T22:00:00+00:00"), DAILY, BERLIN).id == "2022-03-28"

"""Dates (newsdigest.dates): a date without a time is a day, shown and compared as one;
times keep their offset.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from newsdigest.dates import DayDate, is_day_only, parse_build_date
from newsdigest.plugins.theme import humandate, isodate
from tests.helpers import checked


@pytest.mark.parametrize("date", ["2022-01-10", dt.date(2022, 1, 10)])
def test_a_date_without_time_is_a_day(date):
    when = checked(date=date).values["date"]
    assert isinstance(when, DayDate) and is_day_only(when)
    assert when == dt.datetime(2022, 1, 10, tzinfo=ZoneInfo("Europe/Lisbon"))
    assert humandate(when, True) == "10 January 2022"
    assert isodate(when) == "2022-01-10"


def test_a_date_with_time_keeps_it_and_its_offset_in_one_style():
    when = checked(date="2022-01-10 18:30").values["date"]
    assert not is_day_only(when)
    assert humandate(when, True) == "10 January 2022, 18:30 UTC"  # Lisbon, winter
    summer = checked(date="2022-07-10 18:30").values["date"]
    assert humandate(summer, True) == "10 July 2022, 18:30 UTC+01:00"
    west = checked(date="2022-07-10T08:00:00-03:30").values["date"]
    assert humandate(west, True) == "10 July 2022, 08:00 UTC-03:30"


@pytest.mark.parametrize(
    ("date", "updated", "ok"),
    [
        ("2022-01-10T09:00:00+00:00", "2022-01-10", True),  # same day
        ("2022-01-10", "2022-01-10T00:00:00+00:00", True),
        ("2022-01-10T09:00:00+00:00", "2022-01-09", False),
        ("2022-01-10T09:00:00+00:00", "2022-01-10T08:00:00+00:00", False),
    ],
)
def test_updated_is_compared_as_a_day_when_given_as_one(date, updated, ok):
    result = checked(date=date, updated=updated)
    assert result.ok is ok, result.problems


def test_an_impossible_day_is_still_an_error():
    result = checked(date="2022-02-30")
    assert not result.ok and "not an ISO 8601 date" in result.problems[0].message


def test_a_build_date_with_an_offset():
    assert parse_build_date("2026-01-01T00:00:00+01:00") == dt.datetime(
        2025, 12, 31, 23, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("2026-01-01T00:00:00", ValueError),  # no offset: which midnight?
        ("2026-13-01T00:00:00+00:00", ValueError),
        ("soon", ValueError),
        (1767225600, TypeError),
    ],
)
def test_a_build_date_without_offset_or_not_a_date_is_refused(value, error):
    with pytest.raises(error):
        parse_build_date(value)

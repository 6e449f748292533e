"""Dates as curators write them: a day, or a moment with its offset.

A front matter value like ``2022-01-02`` names a day, not midnight: it becomes a
``DayDate`` (still a timezone-aware ``datetime``, at the start of the day in
the site's timezone, so Pelican sorts and files it like any other date), and
the theme shows it without an invented time. Offsets are always written the
same way, ``UTC`` or ``UTC+05:30``, never a zone abbreviation that readers in
other places cannot decode.
"""

from __future__ import annotations

import datetime as dt


class DayDate(dt.datetime):
    """A date given without a time of day."""

    @classmethod
    def start_of(cls, day: dt.date, tz: dt.tzinfo) -> DayDate:
        return cls(day.year, day.month, day.day, tzinfo=tz)


def is_day_only(value: dt.date | dt.datetime) -> bool:
    return isinstance(value, DayDate) or not isinstance(value, dt.datetime)


def offset_label(value: dt.datetime) -> str:
    """``UTC`` for a zero offset, else ``UTC+01:00`` / ``UTC-05:30``."""
    offset = value.utcoffset()
    if offset is None:
        return ""
    if not offset:
        return "UTC"
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def iso(value: dt.date | dt.datetime) -> str:
    """ISO 8601: a day as ``2022-01-02``, a moment with its offset."""
    if isinstance(value, DayDate):
        return value.date().isoformat()
    return value.isoformat()


def precedes(earlier: dt.datetime, later: dt.datetime) -> bool:
    """True if ``earlier`` is before ``later``; a day is compared as a day, so
    ``updated: 2022-01-10`` does not precede ``date: 2022-01-10T09:00``."""
    if isinstance(earlier, DayDate) or isinstance(later, DayDate):
        tz = earlier.tzinfo if isinstance(earlier, DayDate) else later.tzinfo
        return earlier.astimezone(tz).date() < later.astimezone(tz).date()
    return earlier < later


def parse_build_date(value: str) -> dt.datetime:
    """``DIGEST_PUBLISH["build_date"]``: ISO 8601 with an offset, so a pinned
    build date means one moment wherever the build runs."""
    if not isinstance(value, str):
        raise TypeError("build_date must be a string")
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("no offset")
    return when

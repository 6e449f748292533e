"""Edition periods: which day or ISO week a moment belongs to, in the site's timezone.

An edition holds the items whose ``date`` falls in its period. The period is
computed in the site's ``TIMEZONE``, not UTC and not the machine's zone: an item
dated 00:30 on Monday in Berlin opens the new week's edition although it is
still Sunday in UTC. Weekly periods are ISO 8601 weeks (Monday to Sunday, week 1 holds
the year's first Thursday), so 2020 has a week 53 and 1 January 2021 belongs to
2020-W53. Only ``date`` counts: an item updated after its edition went out stays
in the edition of its ``date``, so a published edition never loses an item.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAILY = "daily"
WEEKLY = "weekly"
KINDS = (DAILY, WEEKLY)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEK_ID = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY_ID = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """One day or one ISO week, as local dates (``first`` to ``last`` inclusive)."""

    first: dt.date
    last: dt.date
    kind: str

    @property
    def id(self) -> str:
        """``2021-W52`` or ``2021-12-31``: the edition's address and note file name."""
        if self.kind == WEEKLY:
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return self.first.isoformat()

    def start(self, tz: dt.tzinfo) -> dt.datetime:
        """The first instant of the period in ``tz`` (local midnight)."""
        return dt.datetime.combine(self.first, dt.time(), tzinfo=tz)

    def end(self, tz: dt.tzinfo) -> dt.datetime:
        """The first instant after the period (exclusive end)."""
        return dt.datetime.combine(
            self.last + dt.timedelta(days=1), dt.time(), tzinfo=tz
        )

    def words(self) -> str:
        """``27 December 2021 to 2 January 2022`` (with an en dash), or a day."""
        if self.kind == DAILY:
            return f"{DAYS[self.first.weekday()]} {day_words(self.first)}"
        return f"{day_words(self.first)} \u2013 {day_words(self.last)}"

    def short_words(self) -> str:
        """``Week 52, 2021`` or ``31 December 2021``: a default edition title."""
        if self.kind == DAILY:
            return day_words(self.first)
        year, week, _ = self.first.isocalendar()
        return f"Week {week}, {year}"


def day_words(day: dt.date) -> str:
    """English, whatever the machine's locale (builds are identical everywhere)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def zone(name: str) -> ZoneInfo:
    """The site's TIMEZONE as a tzinfo."""
    return ZoneInfo(name)


def period_of_date(day: dt.date, kind: str) -> Period:
    """The period holding the local calendar day ``day``."""
    if kind == DAILY:
        return Period(day, day, DAILY)
    if kind == WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(monday, monday + dt.timedelta(days=6), WEEKLY)
    raise ValueError(f"unknown period kind {kind!r}; use one of {KINDS}")


def period_of(moment: dt.datetime, kind: str, tz: dt.tzinfo) -> Period:
    """The period of an item dated ``moment``, seen from the site's timezone.

    A naive ``moment`` is taken as already local (the reader gives aware dates;
    this keeps the function total)."""
    local = moment.astimezone(tz) if moment.tzinfo else moment
    return period_of_date(local.date(), kind)


def parse_period_id(text: str, kind: str) -> Period | None:
    """The period named by a note file's name, or None if it names none.

    ``2020-W53`` exists, ``2021-W53`` does not (2021 has 52 ISO weeks)."""
    if kind == WEEKLY:
        match = _WEEK_ID.match(text)
        if not match:
            return None
        try:
            monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            return None
        return period_of_date(monday, WEEKLY)
    if kind == DAILY:
        match = _DAY_ID.match(text)
        if not match:
            return None
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return period_of_date(day, DAILY)
    return None


def id_example(kind: str) -> str:
    return "2021-W52" if kind == WEEKLY else "2021-12-31"

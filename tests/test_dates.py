"""newsdigest.dates: the pinned build date's format."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdigest.dates import parse_build_date


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

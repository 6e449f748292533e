"""newsdigest.publishing.builddate: one pinned build date for feeds, sitemaps and the
schedule."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from newsdigest.problems import DigestError
from newsdigest.publishing.builddate import (
    EPOCH,
    configured_build_date,
    pinned_build_date,
    schedule_date,
)

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
ITEMS = [
    SimpleNamespace(date=dt.datetime(2022, 1, 5, tzinfo=dt.UTC), updated=None),
    SimpleNamespace(
        date=dt.datetime(2022, 1, 3, tzinfo=dt.UTC),
        updated=dt.datetime(2022, 1, 9, 8, tzinfo=dt.UTC),
    ),
]


@pytest.fixture(autouse=True)
def no_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def publish(**given):
    return {"DIGEST_PUBLISH": given}


def test_the_setting_wins_over_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1643673600")
    settings = publish(build_date="2022-02-01T00:00:00+01:00")
    assert pinned_build_date(settings).isoformat() == "2022-02-01T00:00:00+01:00"
    assert configured_build_date(settings, ITEMS) == pinned_build_date(settings)
    assert schedule_date(settings, NOW) == pinned_build_date(settings)


def test_source_date_epoch_pins_both(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1643673600")
    expected = dt.datetime(2022, 2, 1, tzinfo=dt.UTC)
    assert configured_build_date({}, ITEMS) == expected
    assert schedule_date({}, NOW) == expected


def test_unpinned_feeds_use_the_newest_change_and_the_schedule_the_clock():
    assert pinned_build_date({}) is None
    assert configured_build_date({}, ITEMS) == dt.datetime(2022, 1, 9, 8, tzinfo=dt.UTC)
    assert configured_build_date({}, []) == EPOCH
    assert schedule_date({}, NOW) == NOW


def test_a_malformed_build_date_is_refused_with_its_key_without_the_publish_plugin():
    """Read first by the feeds or the schedule, DIGEST_PUBLISH is still checked."""
    with pytest.raises(DigestError) as refused:
        schedule_date(publish(build_date="2022-02-01"), NOW)
    assert 'DIGEST_PUBLISH["build_date"]' in str(refused.value)
    assert "Use e.g. '2026-01-01T00:00:00+00:00'" in str(refused.value)

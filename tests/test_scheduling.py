"""Drafts and items dated to come (newsdigest.model.scheduling): previews, the schedule
date, waiting items.
"""

from __future__ import annotations

import datetime as dt

import pytest

from newsdigest.model.scheduling import previews_drafts, split_waiting
from newsdigest.publishing.builddate import schedule_date


# --- Scheduling: the rules -------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "siteurl", "preview"),
    [
        ("auto", "", True),
        ("auto", "../..", True),
        ("auto", "https://digest.example.org", False),
        ("omit", "", False),
        ("preview", "https://digest.example.org", True),
    ],
)
def test_drafts_are_previewed_only_in_development(mode, siteurl, preview):
    assert previews_drafts({"drafts": mode}, siteurl) is preview


def test_schedule_date_prefers_settings_then_source_date_epoch_then_clock(
    monkeypatch,
):
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    pinned = {"DIGEST_PUBLISH": {"build_date": "2022-02-01T00:00:00+01:00"}}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1643673600")
    assert schedule_date(pinned, now).isoformat() == "2022-02-01T00:00:00+01:00"
    assert schedule_date({}, now) == dt.datetime(2022, 2, 1, tzinfo=dt.UTC)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert schedule_date({}, now) == now


def test_items_dated_after_the_build_wait():
    class Item:
        def __init__(self, day: int) -> None:
            self.date = dt.datetime(2022, 2, day, tzinfo=dt.UTC)

    items = [Item(3), Item(1), Item(2)]
    ready, waiting = split_waiting(items, dt.datetime(2022, 2, 2, tzinfo=dt.UTC))
    assert [i.date.day for i in ready] == [1, 2]  # on the date: published
    assert [i.date.day for i in waiting] == [3]

"""newsdigest.model.ordering: newest first, ties in a stable order."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from newsdigest.model.ordering import order_key

NOON = dt.datetime(2022, 1, 5, 12, tzinfo=dt.UTC)


def test_newest_first_then_by_id():
    items = [
        SimpleNamespace(date=NOON, item_id="tag:x:item:b", source_path="b.md"),
        SimpleNamespace(
            date=NOON + dt.timedelta(hours=1), item_id="tag:x:item:z", source_path="z"
        ),
        SimpleNamespace(date=NOON, item_id="tag:x:item:a", source_path="a.md"),
    ]
    assert [i.item_id for i in sorted(items, key=order_key)] == [
        "tag:x:item:z",
        "tag:x:item:a",
        "tag:x:item:b",
    ]


def test_pages_without_an_id_sort_by_path_and_offsets_compare_as_moments():
    lisbon = dt.timezone(dt.timedelta(hours=1))
    items = [
        SimpleNamespace(date=NOON, source_path="content/pages/b.md"),
        SimpleNamespace(date=NOON.astimezone(lisbon), source_path="content/pages/a.md"),
    ]
    assert [i.source_path for i in sorted(items, key=order_key)] == [
        "content/pages/a.md",
        "content/pages/b.md",
    ]

"""Fingerprints: equal data gives equal keys in any process; what a page can
show changes the key; what it cannot show (past the depth budget) does not."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from newsdigest.engine.fingerprint import Fingerprinter, sorted_sets


class Story:
    def __init__(self, **fields: object) -> None:
        self.__dict__.update(fields)


def stories() -> tuple[Story, Story, Story]:
    far = Story(source_path="far.md", title="Far", body="far away")
    near = Story(source_path="near.md", title="Near", related=[far])
    shown = Story(
        source_path="shown.md",
        title="Shown",
        date=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        tags=["a", "b"],
        related=[near],
    )
    return shown, near, far


def key(value: object) -> str:
    return Fingerprinter().key({"article": value})


def test_equal_data_gives_equal_keys_across_fingerprinters() -> None:
    assert key(stories()[0]) == key(stories()[0])


def test_a_change_the_page_can_show_changes_the_key() -> None:
    shown, near, _ = stories()
    before = key(shown)
    near.title = "Near, retitled"  # a related story's title is on the page
    assert key(shown) != before
    shown2, _, _ = stories()
    shown2.tags = ["a", "c"]
    assert key(shown2) != before


def test_past_the_budget_only_identity_counts() -> None:
    shown, _, far = stories()
    before = key(shown)
    far.body = "changed"  # a related story's related story: not on the page
    assert key(shown) == before
    far.title = "Renamed"  # but its identity is part of the key
    assert key(shown) != before


def test_cycles_end() -> None:
    a = Story(title="A")
    b = Story(title="B", related=[a])
    a.related = [b]
    assert key(a) == key(a)


def test_what_cannot_be_keyed_gets_a_fresh_key_every_time() -> None:
    page = Story(title="x", callback=lambda: "y")
    assert key(page) != key(page)
    assert key(Story(items=(n for n in "ab"))) != key(Story(items=(n for n in "ab")))


def test_handlers_choose_the_parts_of_their_type() -> None:
    class Paginator:
        def __init__(self, items: list[int]) -> None:
            self.object_list = items

    fingerprints = Fingerprinter({Paginator: lambda p, _fp, _b: [len(p.object_list)]})
    assert fingerprints.key(Paginator([1, 2])) == Fingerprinter(
        {Paginator: lambda p, _fp, _b: [len(p.object_list)]}
    ).key(Paginator([3, 4]))


def test_sets_give_the_same_key_whatever_the_hash_seed() -> None:
    code = (
        "from newsdigest.engine.fingerprint import Fingerprinter, sorted_sets;"
        "print(Fingerprinter().key(sorted_sets({'tags': frozenset("
        "['alpha', 'beta', 'gamma', 'delta', 'epsilon'])})))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1
    assert sorted_sets({"s": {"b", "a"}}) == [("s", ("set", ["a", "b"]))]


def test_subclasses_of_dict_and_list_count_by_their_items() -> None:
    class Frozen(dict):
        pass

    class Items(list):
        pass

    assert key(Frozen(a=1)) != key(Frozen(a=2))
    assert key(Items([1])) != key(Items([2]))
    assert key(Frozen(a=1)) == key(Frozen(a=1))


def test_stable_says_whether_a_value_can_be_keyed() -> None:
    fingerprints = Fingerprinter()
    assert fingerprints.stable({"FILTERS": {"upper": str.upper}})
    assert not fingerprints.stable({"FILTERS": {"shout": lambda text: text + "!"}})

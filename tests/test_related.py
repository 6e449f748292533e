"""Related stories and previous/next in a topic (newsdigest.discovery.related), on plain
data."""

from __future__ import annotations

import datetime as dt

from newsdigest.discovery.related import Story, related_stories, topic_neighbours
from tests.helpers import day

UTC = dt.UTC


# --- Related and neighbouring stories -------------------------------------------
def test_shared_tags_outrank_topic_and_source_and_recency_breaks_ties():
    stories = [
        Story("me", day(10), "world", "wire", ("nato", "talks")),
        Story("two-tags", day(1), "science", "gazette", ("nato", "talks")),
        Story("one-tag", day(2), "science", "gazette", ("nato",)),
        Story("topic-old", day(3), "world", "gazette"),
        Story("topic-new", day(4), "world", "gazette"),
        Story("source", day(5), "science", "wire"),
        Story("nothing", day(6), "science", "gazette", ("other",)),
    ]
    related = related_stories(stories, limit=5)
    assert related["me"] == ["two-tags", "one-tag", "topic-new", "topic-old", "source"]
    assert "nothing" not in related["me"]


def test_related_lists_at_most_the_limit():
    stories = [Story(n, day(1 + n % 28), "world", "wire", ("x",)) for n in range(20)]
    assert all(len(keys) == 5 for keys in related_stories(stories, 5).values())
    assert related_stories(stories, 0)[0] == []


def test_a_huge_tag_is_scanned_in_a_window_not_pairwise():
    """An item only sees its nearest neighbours in each index, so work per item
    is bounded: with a window of 3, a story 100 places away is never scored."""
    base = dt.datetime(2020, 1, 1, tzinfo=UTC)
    stories = [
        Story(n, base + dt.timedelta(hours=n), "t", f"s{n}", ("big",))
        for n in range(200)
    ]
    related = related_stories(stories, limit=50, window=3)
    assert sorted(related[100]) == [97, 98, 99, 101, 102, 103]


def test_neighbours_are_older_and_newer_in_the_same_topic():
    stories = [
        Story("a", day(1), "world", "w"),
        Story("b", day(2), "science", "w"),
        Story("c", day(3), "world", "w"),
        Story("d", day(4), "world", "w"),
    ]
    neighbours = topic_neighbours(stories)
    assert neighbours["c"] == ("a", "d")
    assert neighbours["a"] == (None, "c")
    assert neighbours["b"] == (None, None)


def test_stories_of_the_same_date_are_ordered_the_same_in_every_build():
    """Keys are id()s, different in every build: the name breaks ties."""
    for keys in ((1, 2, 3), (3, 2, 1)):
        stories = [
            Story(key, day(1), "world", "wire", ("x",), name=name)
            for key, name in zip(keys, ("a", "b", "c"), strict=True)
        ]
        by_name = {story.key: story.name for story in stories}
        neighbours = topic_neighbours(stories)
        assert {
            by_name[key]: tuple(by_name.get(k) for k in pair)
            for key, pair in neighbours.items()
        } == {"a": (None, "b"), "b": ("a", "c"), "c": ("b", None)}
        related = related_stories(stories, limit=2)
        assert [by_name[k] for k in related[keys[0]]] == ["b", "c"]

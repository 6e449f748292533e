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

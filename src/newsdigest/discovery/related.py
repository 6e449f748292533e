"""Related and neighbouring stories, computed once per build from plain data.

Comparing every item with every other is quadratic, and a digest of a few
thousand items would spend most of its build there. Instead candidates come
from the indexes the site already has (tags, topic, source): each index lists
its items newest first, and an item only looks at a bounded window of its
nearest neighbours in each list. The work is therefore linear in the number of
items for a fixed number of tags per item, however large one tag grows.

Scores: a shared tag counts most (tags are the curator's own, specific
judgement), then the topic, then the outlet. Recency breaks ties: between two
equally related stories the newer one is more useful to a reader.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

TAG_WEIGHT = 3
TOPIC_WEIGHT = 2
SOURCE_WEIGHT = 1
#: How many neighbours (by date) on each side an item looks at in one index.
WINDOW = 25


@dataclass(frozen=True)
class Story:
    """What relatedness needs to know about an item."""

    key: Hashable
    date: dt.datetime
    topic: str
    source: str
    tags: tuple[str, ...] = field(default_factory=tuple)
    #: What orders stories of the same date: the same in every build (the key
    #: may be an object's id(), which is not), so every page is written with
    #: the same bytes each time and a deploy sends only what changed.
    name: str = ""

    @property
    def tie(self) -> str:
        return self.name or str(self.key)


def _indexes(stories: Sequence[Story]) -> dict[tuple[str, str], list[int]]:
    """Every index (tag, topic, source) with its stories' positions, newest first."""
    order = sorted(
        range(len(stories)),
        key=lambda i: (stories[i].date, stories[i].tie),
        reverse=True,
    )
    indexes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in order:
        story = stories[i]
        for tag in dict.fromkeys(story.tags):
            indexes[("tag", tag)].append(i)
        indexes[("topic", story.topic)].append(i)
        indexes[("source", story.source)].append(i)
    return indexes


def related_stories(
    stories: Sequence[Story], limit: int = 5, window: int = WINDOW
) -> dict[Hashable, list[Hashable]]:
    """Up to ``limit`` related story keys per story key, best first.

    Only stories sharing at least one tag, the topic or the source are
    related; the score is ``3 * shared tags + 2 * same topic + 1 * same
    source``, ties go to the newer story, then to the key for stable output.
    """
    indexes = _indexes(stories)
    weights = {"tag": TAG_WEIGHT, "topic": TOPIC_WEIGHT, "source": SOURCE_WEIGHT}
    position = {
        (kind, name, i): n
        for (kind, name), members in indexes.items()
        for n, i in enumerate(members)
    }
    result: dict[Hashable, list[Hashable]] = {}
    for i, story in enumerate(stories):
        scores: dict[int, int] = defaultdict(int)
        lists = [("tag", tag) for tag in dict.fromkeys(story.tags)]
        lists += [("topic", story.topic), ("source", story.source)]
        for kind, name in lists:
            members = indexes[(kind, name)]
            at = position[(kind, name, i)]
            for j in members[max(0, at - window) : at + window + 1]:
                if j != i:
                    scores[j] += weights[kind]
        ranked = sorted(
            scores,
            key=lambda j: (
                -scores[j],
                -stories[j].date.timestamp(),
                stories[j].tie,
            ),
        )
        result[story.key] = [stories[j].key for j in ranked[:limit]]
    return result


def topic_neighbours(
    stories: Sequence[Story],
) -> dict[Hashable, tuple[Hashable | None, Hashable | None]]:
    """(previous, next) story key in the same topic, by date: previous is older."""
    by_topic: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_topic[story.topic].append(story)
    result: dict[Hashable, tuple[Hashable | None, Hashable | None]] = {}
    for members in by_topic.values():
        members.sort(key=lambda s: (s.date, s.tie))
        for n, story in enumerate(members):
            older = members[n - 1].key if n > 0 else None
            newer = members[n + 1].key if n + 1 < len(members) else None
            result[story.key] = (older, newer)
    return result

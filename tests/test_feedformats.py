"""One definition of a feed (newsdigest.feeds.formats): its path and its link, for every
format.
"""

from __future__ import annotations

from newsdigest.feeds.formats import feed_path, link_entries


def test_one_definition_of_a_feed_path_and_link() -> None:
    assert feed_path("topics/world", "json") == "feeds/topics/world.json"
    assert link_entries("editions", "D: editions", ["json"]) == [
        {
            "path": "feeds/editions.json",
            "type": "application/feed+json",
            "format": "JSON",
            "title": "D: editions (JSON)",
        }
    ]

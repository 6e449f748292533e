"""What a feed is, once: its formats, file names, media types and titles.

The feed writers (the ``feeds`` plugin for items, the ``editions`` plugin for
editions), ``feed_links`` (page heads, visible feed links) and the templates all
ask here, so a page never links a feed at another path than the one written.
No Pelican import: plugins share this without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedgenerator import Atom1Feed, Rss201rev2Feed

from newsdigest.feeds.jsonfeed import MIME_TYPE as JSON_FEED_TYPE
from newsdigest.feeds.jsonfeed import JsonFeed

#: format -> (feedgenerator class, file suffix, name shown to readers)
FORMATS = {
    "atom": (Atom1Feed, "atom.xml", "Atom"),
    "rss": (Rss201rev2Feed, "rss.xml", "RSS"),
    "json": (JsonFeed, "json", "JSON"),
}
MIME_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": JSON_FEED_TYPE,
}
#: Feeds other plugins add (e.g. "editions") -> their formats; set at start-up
#: by the plugin that writes them, so feed_links only links feeds that exist.
EXTRA_FEEDS_KEY = "_DIGEST_EXTRA_FEEDS"


def feed_path(key: str, fmt: str) -> str:
    """Where the feed ``key`` in format ``fmt`` lives: the one definition."""
    return f"feeds/{key}.{FORMATS[fmt][1]}"


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: what it follows and where it lives."""

    key: str  # "all", "topics/<slug>", "tags/<slug>", "sources/<slug>", "editions"
    title: str
    description: str
    page_url: str  # the HTML page this feed mirrors, site-relative

    def path(self, fmt: str) -> str:
        return feed_path(self.key, fmt)


def link_entries(key: str, title: str, formats: list[str]) -> list[dict[str, str]]:
    """What a page's <head> and visible feed list need: one entry per format."""
    return [
        {
            "path": feed_path(key, fmt),
            "type": MIME_TYPES[fmt],
            "format": FORMATS[fmt][2],
            "title": f"{title} ({FORMATS[fmt][2]})",
        }
        for fmt in formats
    ]

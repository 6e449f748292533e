"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) as a feedgenerator feed class.

feedgenerator, the library Pelican and ``newsdigest.plugins.feeds`` write Atom and RSS
with, has no JSON Feed. Subclassing its ``SyndicationFeed`` keeps one way to
build a feed: the same ``add_item`` calls fill an Atom, an RSS or a JSON feed,
so every feed the site has (all items, topics, tags, sources, editions) gets a
JSON twin by adding ``"json"`` to a ``formats`` list. Extra item keys
understood here: ``external_url``, ``image``, ``summary``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import IO, Any

from feedgenerator import SyndicationFeed

VERSION = "https://jsonfeed.org/version/1.1"
MIME_TYPE = "application/feed+json"


def _date(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


class JsonFeed(SyndicationFeed):
    """A JSON Feed 1.1 document; dates are RFC 3339 with their offset."""

    content_type = f"{MIME_TYPE}; charset=utf-8"

    def document(self) -> dict[str, Any]:
        """The feed as JSON-ready data (what ``write`` serialises)."""
        feed = self.feed
        doc: dict[str, Any] = {
            "version": VERSION,
            "title": feed["title"],
            "home_page_url": feed["link"],
        }
        if feed.get("feed_url"):
            doc["feed_url"] = feed["feed_url"]
        if feed.get("description"):
            doc["description"] = feed["description"]
        if feed.get("language"):
            doc["language"] = feed["language"]
        if feed.get("author_name"):
            author = {"name": feed["author_name"]}
            if feed.get("author_link"):
                author["url"] = feed["author_link"]
            doc["authors"] = [author]
        doc["items"] = [self.entry(item) for item in self.items]
        return doc

    def entry(self, item: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": item["unique_id"] or item["link"],
            "url": item["link"],
            "title": item["title"],
        }
        if item.get("external_url"):
            entry["external_url"] = item["external_url"]
        # JSON Feed wants content_html or content_text; description is the
        # fallback for callers that only give a description.
        entry["content_html"] = item.get("content") or item.get("description") or ""
        if item.get("summary"):
            entry["summary"] = item["summary"]
        if item.get("image"):
            entry["image"] = item["image"]
        if item.get("pubdate"):
            entry["date_published"] = _date(item["pubdate"])
        if item.get("updateddate"):
            entry["date_modified"] = _date(item["updateddate"])
        if item.get("author_name"):
            author = {"name": item["author_name"]}
            if item.get("author_link"):
                author["url"] = item["author_link"]
            entry["authors"] = [author]
        if item.get("categories"):
            entry["tags"] = list(item["categories"])
        return entry

    def write(self, outfile: IO[str], encoding: str = "utf-8") -> None:
        # ensure_ascii keeps U+2028/2029 and other oddities escaped for any reader
        json.dump(self.document(), outfile, ensure_ascii=True, indent=1)
        outfile.write("\n")

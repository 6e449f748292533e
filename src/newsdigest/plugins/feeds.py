"""Pelican plugin: Atom, RSS 2.0 and JSON Feed for all items, each topic and each tag.

Why not Pelican's own feeds: their entry ids are ``tag:`` URIs built from the
item's URL and date (so they change when a curator fixes a slug or a date, and
read ``tag:None`` without a SITEURL), relative links can remain inside content,
and RSS guids lack ``isPermaLink="false"``. Here every entry's id is the item's
stable id, every link is absolute, the HTML is the sanitised body, and every
feed is named after what it follows. Writing uses ``feedgenerator``, the library
Pelican itself uses.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from pelican import signals
from pelican.generators import Generator
from pelican.utils import sanitised_join

from newsdigest.discovery.structured import (
    entry_extras_html,
    image_address,
    item_label_name,
    item_modified,
    source_authors,
)
from newsdigest.engine.runstate import STATE, start_run
from newsdigest.feeds.formats import FORMATS, FeedSpec
from newsdigest.feeds.plan import feed_specs, feeds_config
from newsdigest.links.original import archive_url, original_gone, read_url
from newsdigest.model.sanitize import sanitise_html
from newsdigest.model.sources import PAYWALL_WORDS
from newsdigest.publishing.builddate import configured_build_date
from newsdigest.settings import content_config

logger = logging.getLogger(__name__)


def entry_html(item: Any, base: str, config: dict[str, Any]) -> str:
    """The body a feed reader shows: our text, then where the story came from."""
    page = urljoin(base, item.url)
    body = (
        sanitise_html(item.get_content(base.rstrip("/")), base_url=page)
        if config["content"] == "full"
        else f"<p>{escape(item.summary)}</p>"
    )
    source = original_html(item)
    before, after = entry_extras_html(item)
    return (
        before + image_html(getattr(item, "image", None), base) + body + after + source
    )


def original_html(item: Any) -> str:
    """Where the story came from, with its snapshot; the snapshot alone once
    the original is gone (``newsdigest.links.original``)."""
    snapshot = archive_url(item)
    if snapshot and original_gone(item):
        return (
            f"<p>The original at {escape(item.source)} is no longer available; "
            f'read the <a href="{escape(snapshot, quote=True)}">archived copy</a>.</p>'
        )
    archived = (
        f' (<a href="{escape(snapshot, quote=True)}">archived copy</a>)'
        if snapshot
        else ""
    )
    paywall = PAYWALL_WORDS.get(getattr(item, "paywall", "none"))
    marked = f" ({paywall})" if paywall else ""
    return (
        f'<p>Read the original at <a href="{escape(item.source_url, quote=True)}">'
        f"{escape(item.source)}</a>{marked}{archived}.</p>"
    )


def image_html(image: dict[str, Any] | None, base: str) -> str:
    """The item's image with its alt text and credit, at an absolute address."""
    if not image:
        return ""
    src = image["src"] if image.get("external") else urljoin(base, image["src"])
    credit = image.get("credit")
    caption = f"<figcaption>{escape(credit)}</figcaption>" if credit else ""
    return (
        f'<figure><img src="{escape(src, quote=True)}" '
        f'alt="{escape(image["alt"], quote=True)}">{caption}</figure>'
    )


def entry_data(
    item: Any, base: str, config: dict[str, Any], settings: dict[str, Any]
) -> dict[str, Any]:
    """Everything any feed format says about one item, computed once.

    Every serialiser reads this dict, so Atom, RSS and JSON Feed agree: the
    label is a category and shown in the content, corrections are in the
    content and move the modified date, our digest is the author of the
    summary, and the original's authors and outlet are the source.
    """
    label = getattr(item, "label", None) or "news"
    return {
        "id": item.item_id,
        "url": urljoin(base, item.url),
        "external_url": read_url(item),
        "title": item.title,
        "summary": escape(item.summary),
        "summary_text": item.summary,
        "content_html": entry_html(item, base, config),
        "image": image_address(getattr(item, "image", None), base),
        "date_published": item.date,
        "date_modified": item_modified(item),
        "label": label,
        "categories": [
            item.category.name,
            *(t.name for t in item.tags),
            item_label_name(item),
        ],
        "tags": [t.name for t in item.tags],
        "corrections": [
            {"date": c["date"], "text": c["text"]}
            for c in getattr(item, "corrections", None) or []
        ],
        "author": {"name": settings["SITENAME"], "url": base},
        "source": {
            "name": item.source,
            "url": item.source_url,
            "authors": source_authors(item),
        },
    }


def build_feed(
    fmt: str,
    spec: FeedSpec,
    items: Iterable[Any],
    settings: dict[str, Any],
    config: dict[str, Any],
    authority: str,
    fallback_date: dt.datetime,
) -> Any:
    """A feedgenerator feed object for ``items`` (newest first, already limited)."""
    feed_class, _, _ = FORMATS[fmt]
    base = config["base_url"]
    feed = feed_class(
        title=spec.title,
        link=urljoin(base, spec.page_url),
        # RSS descriptions are HTML to feed readers; an Atom subtitle is text.
        description=escape(spec.description) if fmt == "rss" else spec.description,
        language=settings.get("DEFAULT_LANG", "en"),
        feed_url=urljoin(base, spec.path(fmt)),
        feed_guid=f"tag:{authority}:feed:{spec.key}",
        author_name=settings["SITENAME"],
        author_link=base,
    )
    for item in items:
        entry = entry_data(item, base, config, settings)
        extra = {}
        if fmt == "json":  # fields only JSON Feed has
            extra = {"summary": entry["summary_text"]}
            extra["external_url"] = entry["external_url"]
            if entry["image"]:
                extra["image"] = entry["image"]
        feed.add_item(
            title=entry["title"],
            link=entry["url"],
            description=entry["content_html"] if fmt == "rss" else entry["summary"],
            content=entry["content_html"] if fmt in ("atom", "json") else None,
            unique_id=entry["id"],
            unique_id_is_permalink=False,
            pubdate=entry["date_published"],
            updateddate=entry["date_modified"],
            categories=entry["categories"],
            author_name=entry["author"]["name"],
            author_link=entry["author"]["url"],
            **extra,
        )
    if not feed.items:
        feed.latest_post_date = lambda: fallback_date
    return feed


class FeedsGenerator(Generator):
    """Writes the feeds after every other generator has filled the context."""

    def generate_context(self) -> None:
        self.config = feeds_config(self.settings)

    def generate_output(self, writer: Any) -> None:
        authority = content_config(self.settings)["id_authority"]
        fallback = configured_build_date(
            self.settings, self.context.get("articles", [])
        )
        limit = self.config["limit"]
        count = 0
        # newsdigest's writer skips a feed whose items and settings did not
        # change (and checks the others from their bytes); Pelican's writes all.
        write_keyed = getattr(writer, "write_keyed", None)
        for spec, items in feed_specs(self.context, self.settings, self.config):
            for fmt in self.config["formats"]:
                shown = items[:limit]

                def produce(
                    fmt: str = fmt, spec: Any = spec, shown: Any = shown
                ) -> bytes:
                    feed = build_feed(
                        fmt,
                        spec,
                        shown,
                        self.settings,
                        self.config,
                        authority,
                        fallback,
                    )
                    text = io.StringIO()
                    feed.write(text, "utf-8")
                    return text.getvalue().encode("utf-8")

                if write_keyed is not None:
                    # The build date is in a feed only when it has no item.
                    when = None if shown else fallback
                    parts = (fmt, spec, shown, self.config, authority, when)
                    # Items as a listing shows them: their own fields.
                    write_keyed(spec.path(fmt), parts, produce, budget=1)
                else:
                    path = Path(sanitised_join(writer.output_path, spec.path(fmt)))
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(produce())
                count += 1
        STATE.counts["feeds"] = count


def remember_config(pelican: Any) -> None:
    feeds_config(pelican.settings)  # checked once, at start-up
    for key in (
        "FEED_ALL_ATOM",
        "FEED_ALL_RSS",
        "CATEGORY_FEED_ATOM",
        "CATEGORY_FEED_RSS",
        "TAG_FEED_ATOM",
        "TAG_FEED_RSS",
        "AUTHOR_FEED_ATOM",
        "AUTHOR_FEED_RSS",
        "TRANSLATION_FEED_ATOM",
        "TRANSLATION_FEED_RSS",
        "FEED_ATOM",
        "FEED_RSS",
    ):
        # Pelican's feeds would duplicate ours with unstable ids.
        pelican.settings[key] = None


def get_generators(_pelican: Any) -> type[Generator]:
    return FeedsGenerator


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(remember_config)
    signals.get_generators.connect(get_generators)

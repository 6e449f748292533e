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

from newsdigest.build_state import STATE, connect_run_state
from newsdigest.feedformats import (
    EXTRA_FEEDS_KEY,
    FORMATS,
    FeedSpec,
    link_entries,
)
from newsdigest.problems import Report
from newsdigest.publish import configured_build_date
from newsdigest.sanitize import sanitise_html
from newsdigest.settings import (
    FEEDS_DEFAULTS,
    content_settings,
    merge,
    raise_if_errors,
    setting_problem,
)
from newsdigest.structured import (
    entry_extras_html,
    image_address,
    item_label_name,
    item_modified,
    source_authors,
)
from newsdigest.urls import is_absolute_http_url

logger = logging.getLogger(__name__)


def feed_settings(settings: dict[str, Any]) -> dict[str, Any]:
    report = Report()
    config = merge("DIGEST_FEEDS", FEEDS_DEFAULTS, settings, report)
    unknown = [f for f in config["formats"] if f not in FORMATS]
    if unknown:
        report.add(
            setting_problem(
                "DIGEST_FEEDS",
                "formats",
                f"{unknown} are not feed formats.",
                "Use any of: " + ", ".join(FORMATS) + ".",
            )
        )
    if config["content"] not in ("full", "summary"):
        report.add(
            setting_problem(
                "DIGEST_FEEDS", "content", "must be 'full' or 'summary'.", "Pick one."
            )
        )
    base = config["base_url"] or settings.get("FEED_DOMAIN") or settings.get("SITEURL")
    if config["formats"] and not is_absolute_http_url(base or ""):
        report.add(
            setting_problem(
                "DIGEST_FEEDS",
                "base_url",
                f"feeds need an absolute base URL, but SITEURL is {base!r}.",
                "Set SITEURL = 'https://...' (publishconf.py), or "
                "DIGEST_FEEDS['base_url'] for development builds.",
            )
        )
    raise_if_errors(report, "DIGEST_FEEDS is invalid")
    config["base_url"] = (base or "").rstrip("/") + "/"
    return config


def entry_html(item: Any, base: str, config: dict[str, Any]) -> str:
    """The body a feed reader shows: our text, then where the story came from."""
    page = urljoin(base, item.url)
    body = (
        sanitise_html(item.get_content(base.rstrip("/")), base_url=page)
        if config["content"] == "full"
        else f"<p>{escape(item.summary)}</p>"
    )
    source = (
        f'<p>Read the original at <a href="{escape(item.source_url, quote=True)}">'
        f"{escape(item.source)}</a>.</p>"
    )
    before, after = entry_extras_html(item)
    return (
        before + image_html(getattr(item, "image", None), base) + body + after + source
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
        "external_url": item.source_url,
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


def feed_specs(
    context: dict[str, Any], settings: dict[str, Any], config: dict[str, Any]
) -> list[tuple[FeedSpec, list[Any]]]:
    """Every feed the site has, with its items (newest first)."""
    site = settings["SITENAME"]
    specs = [
        (
            FeedSpec(
                "all",
                f"{site}: all stories",
                f"Every story in {site}.",
                "",
            ),
            context["articles"],
        )
    ]
    if config["per_topic"]:
        for category, items in sorted(context["categories"], key=lambda c: c[0].slug):
            specs.append(
                (
                    FeedSpec(
                        f"topics/{category.slug}",
                        f"{site}: {category.name}",
                        getattr(category, "description", "")
                        or f"Stories on {category.name}.",
                        category.url,
                    ),
                    items,
                )
            )
    if config["per_tag"]:
        for tag, items in context["tags"]:
            specs.append(
                (
                    FeedSpec(
                        f"tags/{tag.slug}",
                        f"{site}: stories tagged “{tag.name}”",
                        f"Stories tagged “{tag.name}” in {site}.",
                        tag.url,
                    ),
                    items,
                )
            )
    if config["per_source"]:
        for source, items in context.get("sources", []):
            specs.append(
                (
                    FeedSpec(
                        f"sources/{source.slug}",
                        f"{site}: stories from {source.name}",
                        f"Stories from {source.name} kept by {site}.",
                        source.url,
                    ),
                    items,
                )
            )
    return specs


def feed_links(settings: dict[str, Any], key: str, title: str) -> list[dict[str, str]]:
    """What a page's <head> and feed list need: one entry per format."""
    config = settings.get("_DIGEST_FEEDS_CONFIG") or feed_settings(settings)
    extra = settings.get(EXTRA_FEEDS_KEY) or {}
    if key in extra:
        formats = extra[key]
    else:
        formats = config["formats"]
        if key != "all":
            kind = key.split("/")[0]
            if not config.get(f"per_{kind.rstrip('s')}", False):
                return []
    return link_entries(key, title, formats)


class FeedsGenerator(Generator):
    """Writes the feeds after every other generator has filled the context."""

    def generate_context(self) -> None:
        self.config = feed_settings(self.settings)

    def generate_output(self, writer: Any) -> None:
        authority = content_settings(self.settings)[0]["id_authority"]
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
                    parts = (fmt, spec, shown, self.config, authority, fallback)
                    write_keyed(spec.path(fmt), parts, produce)
                else:
                    path = Path(sanitised_join(writer.output_path, spec.path(fmt)))
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(produce())
                count += 1
        STATE.counts["feeds"] = count


def remember_config(pelican: Any) -> None:
    pelican.settings["_DIGEST_FEEDS_CONFIG"] = feed_settings(pelican.settings)
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
    connect_run_state()
    signals.initialized.connect(remember_config)
    signals.get_generators.connect(get_generators)

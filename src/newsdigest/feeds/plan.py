"""Which feeds a site has: the checked ``DIGEST_FEEDS`` settings, every feed
with its items, and the links a page shows for a feed.

The feed writer (``newsdigest.plugins.feeds``), the OPML list and sitemaps
(the ``discovery`` plugin) and the theme's ``feed_links`` all ask here, so a page
never links a feed that is not written, and the OPML file lists exactly the
feeds there are. No Pelican import: plugins share this without importing each
other.
"""

from __future__ import annotations

from typing import Any

from newsdigest.feeds.formats import EXTRA_FEEDS_KEY, FORMATS, FeedSpec, link_entries
from newsdigest.problems import Report
from newsdigest.settings import (
    FEEDS_DEFAULTS,
    Config,
    feature_config,
    merge,
    raise_if_errors,
    setting_problem,
)
from newsdigest.urls import is_absolute_http_url

#: What each kind of feed is called: the feed files, the links in page heads,
#: the visible feed lists and the OPML file all take their titles from here.
FEED_TITLES = {
    "all": "{site}: all stories",
    "topics": "{site}: {name}",
    "tags": "{site}: stories tagged “{name}”",
    "sources": "{site}: stories from {name}",
    "editions": "{site}: editions",
}


def feed_title(key: str, site: str, name: str = "") -> str:
    """The title of the feed ``key`` ("all", "tags/<slug>", ...) of ``site``;
    ``name`` is the topic's, tag's or outlet's."""
    return FEED_TITLES[key.split("/")[0]].format(site=site, name=name)


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
                "feeds need an absolute base URL, but "
                + (
                    f"it is {base!r}."
                    if config["base_url"]
                    else f"SITEURL is {base!r}."
                ),
                "Set SITEURL = 'https://...' (publishconf.py), or "
                "DIGEST_FEEDS['base_url'] for development builds.",
            )
        )
    raise_if_errors(report, "DIGEST_FEEDS is invalid")
    config["base_url"] = (base or "").rstrip("/") + "/"
    return config


def feeds_config(settings: dict[str, Any]) -> Config:
    """``DIGEST_FEEDS``, checked once per run; read by feeds, discovery, theme."""
    return feature_config(settings, "DIGEST_FEEDS", feed_settings)


def feed_specs(
    context: dict[str, Any], settings: dict[str, Any], config: dict[str, Any]
) -> list[tuple[FeedSpec, list[Any]]]:
    """Every feed the site has, with its items (newest first)."""
    site = settings["SITENAME"]
    specs = [
        (
            FeedSpec(
                "all",
                feed_title("all", site),
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
                        feed_title("topics", site, category.name),
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
                        feed_title("tags", site, tag.name),
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
                        feed_title("sources", site, source.name),
                        f"Stories from {source.name} kept by {site}.",
                        source.url,
                    ),
                    items,
                )
            )
    return specs


def feed_links(
    settings: dict[str, Any], key: str, title: str | None = None, name: str = ""
) -> list[dict[str, str]]:
    """What a page's <head> and feed list need: one entry per format. Without a
    ``title`` (themes older than ``feed_title`` pass one), the feed's own."""
    if title is None:
        title = feed_title(key, settings.get("SITENAME", ""), name)
    config = feeds_config(settings)
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

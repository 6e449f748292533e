"""Pelican plugin: what the digest theme needs beyond Pelican's own context.

Dates are formatted here in English rather than with ``strftime`` so the output
does not depend on the machine's locale; topics come in the order of
``topics.yml``, not alphabetically; feed links are computed from the same
settings the feeds generator uses, so a page never links a feed that does not
exist. Autoescaping is switched on whatever the settings file says.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup
from pelican import signals

from newsdigest.dates import is_day_only, iso, offset_label
from newsdigest.editions.periods import DAYS, MONTHS
from newsdigest.engine.runstate import STATE, start_run
from newsdigest.engine.templatedeps import declare_reads
from newsdigest.feeds.plan import feed_links
from newsdigest.labels import DEFAULT_LABEL, label_description, label_name
from newsdigest.model.sources import PAYWALL_WORDS
from newsdigest.publishing.hosts import meta_policy
from newsdigest.settings import content_config, publish_config


def isodate(value: dt.datetime | dt.date) -> str:
    """For ``<time datetime>``: a day as ``2022-01-02``, a moment with its offset."""
    return iso(value)


def humandate(value: dt.datetime | dt.date, with_time: bool = False) -> str:
    """``31 December 2021`` (and ``, 18:30 UTC+01:00`` when asked), in any locale.

    A date given without a time shows none, even when asked; offsets are always
    numeric (``UTC``, ``UTC+05:30``), never zone abbreviations."""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if with_time and isinstance(value, dt.datetime) and not is_day_only(value):
        text += f", {value:%H:%M} {offset_label(value)}".rstrip()
    return text


def dayname(value: dt.datetime | dt.date) -> str:
    """``Thursday 27 January 2022``: the heading of a day of stories, in English."""
    return f"{DAYS[value.weekday()]} {humandate(value)}"


def by_day(stories: Iterable[Any]) -> list[tuple[dt.date, list[Any]]]:
    """Stories (newest first) in runs of the same day, for the day headings of a
    listing. The day is the one of each item's own date, in the site's time
    zone as the reader parsed it, so an item is filed under the day it shows."""
    runs = itertools.groupby(stories, key=lambda story: _day(story.date))
    return [(day, list(group)) for day, group in runs]


def _day(value: dt.datetime | dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


#: Words a minute for reading-time hints (a common estimate for adults reading
#: news on screen).
READING_SPEED = 230


def reading_minutes(html: str) -> int:
    """Minutes to read an item's body (HTML), rounded up, at least one.

    ``Markup.striptags`` (markupsafe) drops tags, comments and attributes and
    unescapes entities, so only the words a reader sees are counted; a space
    before each tag keeps ``<li>one</li><li>two</li>`` two words."""
    words = len(Markup((html or "").replace("<", " <")).striptags().split())
    return max(1, math.ceil(words / READING_SPEED))


def month_name(number: int) -> str:
    if not 1 <= int(number) <= 12:
        raise ValueError(f"no month {number}")
    return MONTHS[int(number) - 1]


def site_url(siteurl: str, path: str) -> str:
    """Join SITEURL (absolute, or relative like ``../..`` or ``.``) and a site path.

    ``urljoin`` cannot be used: it drops a relative base entirely.
    """
    if not siteurl:
        return path or "./"
    return f"{siteurl.rstrip('/')}/{path}"


def image_url(image: dict[str, Any], siteurl: str) -> str:
    return image["src"] if image.get("external") else site_url(siteurl, image["src"])


@jinja2.pass_context
def feed_links_global(
    context: jinja2.runtime.Context,
    key: str,
    title: str | None = None,
    name: str = "",
) -> list[dict[str, str]]:
    """``feed_links(key, name=...)`` in templates: the feed's links, titled as
    the feed itself is (``newsdigest.feeds.plan.feed_title``). A module-level
    function, not a closure over the settings, so the settings stay picklable
    (Pelican's caches pickle them); the template context holds every setting."""
    return feed_links(context.get_all(), key, title, name)


# Reads only settings, which every page's key covers (newsdigest.plugins.writer).
declare_reads(feed_links_global, ())


def topics_nav(
    categories: list[tuple[Any, list[Any]]], topics: list[Any]
) -> list[dict[str, Any]]:
    """Topics in the order of topics.yml, each with its category and items."""
    by_slug = {category.slug: (category, items) for category, items in categories}
    nav = []
    for topic in topics:
        category, items = by_slug.get(topic.slug, (None, []))
        nav.append({"topic": topic, "category": category, "articles": items})
    return nav


def configure(pelican: Any) -> None:
    settings = pelican.settings
    content = content_config(settings)
    labels = content["labels"] if isinstance(content["labels"], dict) else None
    env = dict(settings.get("JINJA_ENVIRONMENT") or {})
    env["autoescape"] = True  # titles and summaries are untrusted text
    # Each run makes new generators, each a new Environment, so templates cannot
    # change during one; with auto_reload every {% include %} in a loop stats its
    # file again (22,800 times for 1,000 items).
    env.setdefault("auto_reload", False)
    settings["JINJA_ENVIRONMENT"] = env
    settings["JINJA_FILTERS"] = {
        **(settings.get("JINJA_FILTERS") or {}),
        "isodate": isodate,
        "humandate": humandate,
        "month_name": month_name,
        "dayname": dayname,
        "by_day": by_day,
        # partial, not lambda: settings must pickle (Pelican's caches, workers).
        "label_name": functools.partial(label_name, labels=labels),
        "label_description": functools.partial(label_description, labels=labels),
        "image_url": image_url,
    }
    settings["JINJA_GLOBALS"] = {
        **(settings.get("JINJA_GLOBALS") or {}),
        "feed_links": feed_links_global,
        "site_url": site_url,
        # DIGEST_CONTENT merged over its defaults: footer, site_description, labels.
        "digest_content": content,
        # Items of this label show none: a label is shown when it tells something.
        "default_label": DEFAULT_LABEL,
        # The Content-Security-Policy for a <meta> (hosts that read no headers
        # file), or "" (newsdigest.publishing.hosts).
        "meta_csp": meta_policy(publish_config(settings)["host"]),
        # Beside links to paywalled originals (newsdigest.model.sources).
        "paywall_words": dict(PAYWALL_WORDS),
    }


def add_topics(generator: Any) -> None:
    topics = list(STATE.topics(generator.settings)[0].values())
    generator.context["digest_topics"] = topics_nav(generator.categories, topics)


def live_slugs(pairs: list[tuple[Any, list[Any]]] | None) -> frozenset[str]:
    """Slugs of the tags (topics, sources) that have a page of their own."""
    return frozenset(wrapper.slug for wrapper, _ in pairs or [])


def add_live_slugs(generators: list[Any]) -> None:
    """Once per build, what each item page asked of every tag (O(items x tags)):
    which of its tags, topic and source are linked. Each item gets its own
    answer (``article.linked``), so an item page depends on its own tags having
    a page, not on the whole site's list (newsdigest.plugins.writer keys pages by what
    they read)."""
    context = generators[0].context
    for name in ("tags", "categories", "sources"):
        context[f"live_{name}_slugs"] = live_slugs(context.get(name))
    tags, topics, sources = (
        context[f"live_{name}_slugs"] for name in ("tags", "categories", "sources")
    )
    for article in all_items(generators):
        outlet = getattr(article, "outlet", None)
        article.linked = {
            "tags": [t.slug for t in getattr(article, "tags", []) if t.slug in tags],
            "topic": getattr(article.category, "slug", None) in topics,
            "source": outlet is not None and outlet.slug in sources,
        }


def add_reading_times(generators: list[Any]) -> None:
    """Each item's reading-time hint (``article.reading_minutes``), once per
    build: an attribute of the item, so the pages that show it are keyed by it
    with the item (newsdigest.engine.fingerprint), and no template counts words."""
    for article in all_items(generators):
        # Pelican's body before its link rewriting: the same words as the page's.
        article.reading_minutes = reading_minutes(getattr(article, "_content", ""))


def all_items(generators: list[Any]) -> Iterable[Any]:
    """Every item of every generator: published, hidden, drafts, translations."""
    for generator in generators:
        for kind in CONTENT_LISTS:
            yield from getattr(generator, kind, None) or []


#: Where Pelican's article generator keeps the items it renders.
CONTENT_LISTS = (
    "articles",
    "translations",
    "hidden_articles",
    "hidden_translations",
    "drafts",
    "drafts_translations",
)


def register() -> None:
    signals.get_generators.connect(start_run)
    signals.initialized.connect(configure)
    signals.article_generator_finalized.connect(add_topics)
    signals.all_generators_finalized.connect(add_live_slugs)
    signals.all_generators_finalized.connect(add_reading_times)

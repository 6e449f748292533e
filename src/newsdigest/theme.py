"""Pelican plugin: what the digest theme needs beyond Pelican's own context.

Dates are formatted here in English rather than with ``strftime`` so the output
does not depend on the machine's locale; topics come in the order of
``topics.yml``, not alphabetically; feed links are computed from the same
settings the feeds generator uses, so a page never links a feed that does not
exist. Autoescaping is switched on whatever the settings file says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
from pelican import signals

from newsdigest.build_state import STATE, connect_run_state
from newsdigest.feeds import feed_links
from newsdigest.structured import label_name

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def isodate(value: dt.datetime | dt.date) -> str:
    """For ``<time datetime>``: ISO 8601 with offset."""
    return value.isoformat()


def humandate(value: dt.datetime | dt.date, with_time: bool = False) -> str:
    """``31 December 2021`` (and ``, 18:30 UTC`` when asked), in any locale."""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if with_time and isinstance(value, dt.datetime):
        text += f", {value:%H:%M} {value.tzname() or ''}".rstrip()
    return text


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
    context: jinja2.runtime.Context, key: str, title: str
) -> list[dict[str, str]]:
    """``feed_links(key, title)`` in templates. A module-level function, not a
    closure over the settings, so the settings stay picklable (Pelican's
    caches pickle them); the template context holds every setting."""
    return feed_links(context.get_all(), key, title)


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
    env = dict(settings.get("JINJA_ENVIRONMENT") or {})
    env["autoescape"] = True  # titles and summaries are untrusted text
    settings["JINJA_ENVIRONMENT"] = env
    settings["JINJA_FILTERS"] = {
        **(settings.get("JINJA_FILTERS") or {}),
        "isodate": isodate,
        "humandate": humandate,
        "month_name": month_name,
        "label_name": label_name,
        "image_url": image_url,
    }
    settings["JINJA_GLOBALS"] = {
        **(settings.get("JINJA_GLOBALS") or {}),
        "feed_links": feed_links_global,
        "site_url": site_url,
    }


def add_topics(generator: Any) -> None:
    topics = list(STATE.topics(generator.settings)[0].values())
    generator.context["digest_topics"] = topics_nav(generator.categories, topics)


def register() -> None:
    connect_run_state()
    signals.initialized.connect(configure)
    signals.article_generator_finalized.connect(add_topics)

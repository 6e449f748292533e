"""Unit tests for newsdigest.plugins.theme: the filters and globals templates
use, and the per-build lookups the templates read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import jinja2
import pytest

import newsdigest
from newsdigest.plugins.theme import (
    MONTHS,
    add_live_slugs,
    humandate,
    image_url,
    isodate,
    label_name,
    live_slugs,
    month_name,
    site_url,
    topics_nav,
)

EVENING = dt.datetime(2021, 12, 31, 18, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "with_time", "expected"),
    [
        (EVENING, False, "31 December 2021"),
        (EVENING, True, "31 December 2021, 18:30 UTC"),
        (
            dt.datetime(2022, 1, 5, 9, 5, tzinfo=dt.UTC),
            True,
            "5 January 2022, 09:05 UTC",
        ),
        (
            dt.datetime(2022, 7, 1, 8, 0, tzinfo=ZoneInfo("Europe/Paris")),
            True,
            "1 July 2022, 08:00 UTC+02:00",
        ),
        (
            dt.datetime(2022, 3, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=5.5))),
            True,
            "1 March 2022, 08:00 UTC+05:30",
        ),
        (dt.datetime(2022, 3, 1, 8, 0), True, "1 March 2022, 08:00"),
        (dt.date(2022, 2, 28), True, "28 February 2022"),
        (dt.date(2022, 2, 28), False, "28 February 2022"),
    ],
)
def test_humandate_is_english_day_month_year(value, with_time, expected):
    assert humandate(value, with_time=with_time) == expected


def test_humandate_names_every_month_in_english():
    names = [humandate(dt.date(2022, m, 1)).split()[1] for m in range(1, 13)]
    assert names == list(MONTHS)
    assert names[0] == "January"
    assert names[-1] == "December"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (EVENING, "2021-12-31T18:30:00+00:00"),
        (
            dt.datetime(2022, 7, 1, 8, 0, tzinfo=ZoneInfo("Europe/Paris")),
            "2022-07-01T08:00:00+02:00",
        ),
        (dt.date(2022, 1, 1), "2022-01-01"),
    ],
)
def test_isodate_keeps_the_offset(value, expected):
    assert isodate(value) == expected


@pytest.mark.parametrize(
    ("number", "expected"), [(1, "January"), ("3", "March"), (12, "December")]
)
def test_month_name(number, expected):
    assert month_name(number) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("news", "News"),
        ("analysis", "Analysis"),
        ("explainer", "Explainer"),
        ("fact-check", "Fact-Check"),
        ("long read", "Long Read"),
    ],
)
def test_label_name(label, expected):
    assert label_name(label) == expected


@pytest.mark.parametrize(
    ("siteurl", "path", "expected"),
    [
        ("", "", "./"),
        ("", "topics/world/", "topics/world/"),
        (".", "", "./"),
        (".", "topics/world/", "./topics/world/"),
        ("../..", "", "../../"),
        ("../..", "feeds/all.atom.xml", "../../feeds/all.atom.xml"),
        ("../../", "index.html", "../../index.html"),
        ("https://x.org", "", "https://x.org/"),
        ("https://x.org", "topics/world/", "https://x.org/topics/world/"),
        ("https://x.org/", "topics/world/", "https://x.org/topics/world/"),
        ("https://x.org/digest", "a.html", "https://x.org/digest/a.html"),
    ],
)
def test_site_url_joins_relative_and_absolute_bases(siteurl, path, expected):
    assert site_url(siteurl, path) == expected


@pytest.mark.parametrize(
    ("image", "siteurl", "expected"),
    [
        (
            {"src": "https://cdn.example/photo.jpg", "external": True},
            "../..",
            "https://cdn.example/photo.jpg",
        ),
        (
            {"src": "images/photo.jpg", "external": False},
            "../..",
            "../../images/photo.jpg",
        ),
        (
            {"src": "images/photo.jpg"},
            "https://x.org",
            "https://x.org/images/photo.jpg",
        ),
        ({"src": "images/photo.jpg"}, "", "images/photo.jpg"),
    ],
)
def test_image_url_external_as_is_local_under_siteurl(image, siteurl, expected):
    assert image_url(image, siteurl) == expected


def topic(slug):
    return SimpleNamespace(slug=slug, name=slug.title())


def category(slug):
    return SimpleNamespace(slug=slug, name=slug.title())


def test_topics_nav_keeps_topics_file_order_and_lists_empty_topics():
    world, economy = category("world"), category("economy")
    topics = [topic("world"), topic("science"), topic("economy")]
    nav = topics_nav([(economy, ["e1", "e2"]), (world, ["w1"])], topics)
    assert [
        (entry["topic"].slug, entry["category"], entry["articles"]) for entry in nav
    ] == [
        ("world", world, ["w1"]),
        ("science", None, []),
        ("economy", economy, ["e1", "e2"]),
    ]


def test_topics_nav_ignores_categories_that_are_not_topics():
    nav = topics_nav([(category("stray"), ["x"])], [topic("world")])
    assert [(e["topic"].slug, e["articles"]) for e in nav] == [("world", [])]


def test_topics_nav_without_topics_is_empty():
    assert topics_nav([(category("world"), ["w1"])], []) == []


# --- Per-build lookups: templates render the same with or without them ----------------


TEMPLATES = Path(newsdigest.__file__).parent / "themes" / "digest" / "templates"


def wrapper(name: str) -> SimpleNamespace:
    slug = name.lower().replace(" ", "-")
    return SimpleNamespace(name=name, slug=slug, url=f"tags/{slug}/")


def render_tags(linked: list[str]) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False
    )
    env.globals["site_url"] = site_url
    live, draft_only = wrapper("Energy"), wrapper("Draft only")
    article = SimpleNamespace(tags=[live, draft_only], linked={"tags": linked})
    return env.get_template("partials/tag_list.html").render(
        article=article, SITEURL=".."
    )


def test_live_slugs_are_the_slugs_with_a_page():
    pairs = [(wrapper("Energy"), []), (wrapper("Climate Risk"), [])]
    assert live_slugs(pairs) == {"energy", "climate-risk"}
    assert live_slugs(None) == frozenset()


def test_the_tag_list_links_only_the_tags_the_item_has_linked():
    html = render_tags(["energy"])
    # (each pill also carries its search filter attributes)
    assert re.search(
        r'<a class="pill" href="../tags/energy/" rel="tag"[^>]*>Energy</a>', html
    )
    assert re.search(r'<span class="pill"[^>]*>Draft only</span>', html)
    assert "<a " not in render_tags([])


def test_each_item_learns_which_of_its_tags_topic_and_source_have_a_page():
    energy, draft_only = wrapper("Energy"), wrapper("Draft only")
    world, elsewhere = wrapper("World"), wrapper("Elsewhere")
    wire = wrapper("Wire")
    published = SimpleNamespace(tags=[energy], category=world, outlet=wire)
    draft = SimpleNamespace(tags=[energy, draft_only], category=elsewhere)
    context = {
        "tags": [(energy, [published])],
        "categories": [(world, [published])],
        "sources": [(wire, [published])],
    }
    generator = SimpleNamespace(context=context, articles=[published], drafts=[draft])
    add_live_slugs([generator])
    assert published.linked == {"tags": ["energy"], "topic": True, "source": True}
    assert draft.linked == {"tags": ["energy"], "topic": False, "source": False}

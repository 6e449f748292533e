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
    READING_SPEED,
    add_live_slugs,
    add_reading_times,
    by_day,
    dayname,
    humandate,
    image_url,
    isodate,
    label_name,
    live_slugs,
    month_name,
    reading_minutes,
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


# --- Lists of stories: days, reading times, labels that tell something ------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2022, 1, 27), "Thursday 27 January 2022"),
        (dt.datetime(2022, 1, 30, 23, 59, tzinfo=dt.UTC), "Sunday 30 January 2022"),
        (dt.date(2021, 12, 6), "Monday 6 December 2021"),
    ],
)
def test_dayname_names_the_weekday_in_english(value, expected):
    assert dayname(value) == expected


def story(when: dt.datetime | dt.date, title: str = "") -> SimpleNamespace:
    return SimpleNamespace(date=when, title=title)


def test_by_day_groups_stories_under_the_day_each_shows():
    india = dt.timezone(dt.timedelta(hours=5, minutes=30))
    late = story(dt.datetime(2022, 1, 11, 23, 30, tzinfo=india), "late")
    morning = story(dt.datetime(2022, 1, 11, 8, 0, tzinfo=dt.UTC), "morning")
    # 00:30 on the 11th in UTC+05:30 is still the 10th in UTC: filed by its own day
    early = story(dt.datetime(2022, 1, 11, 0, 30, tzinfo=india), "early")
    day_only = story(dt.date(2022, 1, 5), "day only")
    days = by_day([late, morning, early, day_only])
    assert [(day, [s.title for s in stories]) for day, stories in days] == [
        (dt.date(2022, 1, 11), ["late", "morning", "early"]),
        (dt.date(2022, 1, 5), ["day only"]),
    ]
    assert by_day([]) == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", 1),
        ("<p>one</p>", 1),
        ("<p>" + "word " * READING_SPEED + "</p>", 1),
        ("<p>" + "word " * (READING_SPEED + 1) + "</p>", 2),
        # tags and attributes are not words; an entity is part of its word
        ('<p><a href="a b c d e">x</a>' + " don&rsquo;t" * READING_SPEED + "</p>", 2),
        ("<!-- a b c -->" * READING_SPEED + "<p>x</p>", 1),
        ("<ul>" + "<li>item</li>" * (3 * READING_SPEED) + "</ul>", 3),
    ],
)
def test_reading_minutes_counts_the_words_a_reader_sees(html, expected):
    assert reading_minutes(html) == expected


def test_every_item_gets_its_reading_time():
    long = SimpleNamespace(_content="<p>" + "w " * (2 * READING_SPEED + 5) + "</p>")
    draft = SimpleNamespace(_content="<p>short</p>")
    add_reading_times([SimpleNamespace(articles=[long], drafts=[draft])])
    assert (long.reading_minutes, draft.reading_minutes) == (3, 1)


def theme_env() -> jinja2.Environment:
    """The digest theme's templates with the filters and globals the plugin
    gives them (newsdigest.plugins.theme.configure)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False
    )
    env.filters.update(
        isodate=isodate,
        humandate=humandate,
        dayname=dayname,
        by_day=by_day,
        label_name=label_name,
        image_url=image_url,
    )
    env.globals.update(site_url=site_url, default_label="news")
    return env


def entry(label: str, **fields) -> SimpleNamespace:
    values = {
        "title": "Harbour <expands>",
        "url": "2022/01/harbour/",
        "summary": "A port grows.",
        "label": label,
        "source": "Example Wire",
        "outlet": wrapper("Example Wire"),
        "category": wrapper("Economy"),
        "date": dt.datetime(2022, 1, 11, 8, 0, tzinfo=dt.UTC),
        "reading_minutes": 3,
        **fields,
    }
    return SimpleNamespace(**values)


def render_entry(article: SimpleNamespace) -> str:
    template = theme_env().get_template("partials/item_summary.html")
    return template.render(article=article, SITEURL="..")


def test_a_list_entry_shows_a_label_only_when_it_is_not_the_default():
    assert "label" not in render_entry(entry("news"))
    opinion = render_entry(entry("opinion"))
    assert '<span class="label label--opinion">Opinion</span>' in opinion


def test_a_list_entry_has_a_source_line_without_literal_separators():
    html = render_entry(entry("news"))
    meta = re.search(r'<ul class="meta">(.*?)</ul>', html, re.S)
    assert meta, html
    items = re.findall(r"<li[^>]*>(.*?)</li>", meta.group(1), re.S)
    assert [re.sub(r"<[^>]+>", "", i) for i in items] == [
        "Example Wire",
        "Economy",
        "11 January 2022",
        "3 min read",
    ]
    assert "·" not in meta.group(1)
    assert "Harbour &lt;expands&gt;" in html


def test_a_list_entry_image_is_lazy_sized_and_credited():
    image = {
        "src": "images/harbour.svg",
        "alt": 'A crane "and" a ship',
        "credit": "Photo: <b>Ana</b>",
        "external": False,
    }
    html = render_entry(entry("news", image=image))
    (img,) = re.findall(r"<img [^>]*>", html)
    assert 'src="../images/harbour.svg"' in img
    assert 'alt="A crane &#34;and&#34; a ship"' in img
    assert 'loading="lazy"' in img
    assert re.search(r'width="\d+" height="\d+"', img)
    assert "<figcaption>Photo: &lt;b&gt;Ana&lt;/b&gt;</figcaption>" in html
    assert "<img" not in render_entry(entry("news", image=None))


def test_a_day_group_heads_its_stories_with_the_day():
    template = theme_env().get_template("partials/day_group.html")
    day, stories = by_day([entry("news"), entry("analysis")])[0]
    html = template.render(day=day, stories=stories, SITEURL="..")
    assert re.search(
        r'<section class="day" aria-labelledby="day-2022-01-11">\s*'
        r'<h2 class="day__heading" id="day-2022-01-11">'
        r'<time datetime="2022-01-11">Tuesday 11 January 2022</time></h2>',
        html,
    )
    # the day's heading is h2, so its stories are h3; the date is in the heading
    assert html.count('<h3 class="entry__title">') == 2
    assert "11 January 2022</time></li>" not in html

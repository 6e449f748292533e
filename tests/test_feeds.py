"""Unit tests for newsdigest.plugins.feeds, on fake items: no Pelican build."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from newsdigest.feeds.plan import feed_links, feed_settings, feed_specs
from newsdigest.model.sanitize import sanitise_html
from newsdigest.plugins.feeds import FeedSpec, build_feed, entry_html
from newsdigest.problems import DigestError

BASE = "https://digest.example.org/"
AUTHORITY = "digest.example.org,2026"
FALLBACK = dt.datetime(2021, 6, 1, 12, 0, tzinfo=dt.UTC)
SETTINGS = {"SITENAME": "Digest", "SITEURL": "https://digest.example.org"}
ATOM = "{http://www.w3.org/2005/Atom}"


def fake_item(**overrides):
    fields = {
        "title": "Talks resume",
        "url": "items/talks-resume/",
        "summary": "Both sides met.",
        "source": "Example Wire",
        "source_url": "https://example.com/story",
        "date": dt.datetime(2022, 1, 5, 10, 0, tzinfo=dt.UTC),
        "updated": None,
        "item_id": "tag:digest.example.org,2026:item:abc123",
        "category": SimpleNamespace(name="World", slug="world", url="topics/world/"),
        "tags": [SimpleNamespace(name="NATO", slug="nato", url="tags/nato/")],
        "image": None,
        "body": '<p>Body with <a href="../other/">a link</a>.</p>',
    }
    fields.update(overrides)
    body = fields.pop("body")
    item = SimpleNamespace(**fields)
    item.get_content = lambda siteurl: body.replace("{siteurl}", siteurl)
    return item


def config(**overrides):
    return feed_settings({**SETTINGS, "DIGEST_FEEDS": overrides})


def write(fmt, items, spec=None, **config_overrides):
    spec = spec or FeedSpec("all", "Digest: all stories", "Every story.", "")
    feed = build_feed(
        fmt, spec, items, SETTINGS, config(**config_overrides), AUTHORITY, FALLBACK
    )
    return feed.writeString("utf-8")


# --- absolute addresses in feed HTML ---------------------------------------------

REL = ' rel="noopener noreferrer"'


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<a href="../other/">x</a>',
            f'<a href="https://d.org/items/other/"{REL}>x</a>',
        ),
        ('<a href="/topics/">x</a>', f'<a href="https://d.org/topics/"{REL}>x</a>'),
        ('<a href="https://e.com/a">x</a>', f'<a href="https://e.com/a"{REL}>x</a>'),
        ('<a href="#fn:1">x</a>', f'<a href="https://d.org/items/a/#fn:1"{REL}>x</a>'),
        (
            '<img src="map.png" alt="m">',
            '<img src="https://d.org/items/a/map.png" alt="m">',
        ),
        ('<img src="/images/m.png">', '<img src="https://d.org/images/m.png">'),
        ('<img src="//cdn.example/m.png">', "<img>"),  # protocol-relative: dropped
        ("<p>no links</p>", "<p>no links</p>"),
    ],
)
def test_feed_html_resolves_against_the_page(html, expected):
    assert sanitise_html(html, base_url="https://d.org/items/a/") == expected


def test_feed_html_keeps_an_escaped_ampersand_escaped_once():
    html = f'<a href="https://e.com/?a=1&amp;b=2"{REL}>x</a>'
    assert sanitise_html(html, base_url="https://d.org/") == html


def test_feed_html_leaves_text_that_looks_like_an_attribute_alone():
    html = '<p>Write <code>&lt;a href="/x"&gt;</code> to link.</p>'
    assert sanitise_html(html, base_url="https://d.org/") == html


# --- entry_html ------------------------------------------------------------------


def test_full_entry_is_absolute_body_then_source_link():
    html = entry_html(fake_item(), BASE, {"content": "full"})
    assert html == (
        '<p>Body with <a href="https://digest.example.org/items/other/"'
        ' rel="noopener noreferrer">a link</a>.</p>'
        '<p>Read the original at <a href="https://example.com/story">Example Wire'
        "</a>.</p>"
    )


def test_full_entry_gets_siteurl_without_trailing_slash():
    item = fake_item(body='<img src="{siteurl}/images/a.png" alt="a">')
    assert entry_html(item, BASE, {"content": "full"}).startswith(
        '<img src="https://digest.example.org/images/a.png" alt="a">'
    )


def test_summary_entry_escapes_the_summary():
    item = fake_item(summary="Profits <up> & costs down")
    assert entry_html(item, BASE, {"content": "summary"}).startswith(
        "<p>Profits &lt;up&gt; &amp; costs down</p><p>Read the original at"
    )


def test_source_link_is_escaped():
    item = fake_item(source='Smith & "Sons" <Ltd>', source_url="https://e.com/?a=1&b=2")
    assert entry_html(item, BASE, {"content": "summary"}).endswith(
        '<p>Read the original at <a href="https://e.com/?a=1&amp;b=2">'
        "Smith &amp; &quot;Sons&quot; &lt;Ltd&gt;</a>.</p>"
    )


# --- build_feed --------------------------------------------------------------------


def test_atom_feed_has_tag_ids_absolute_links_and_html_content():
    root = ET.fromstring(write("atom", [fake_item()]))
    assert root.findtext(f"{ATOM}id") == "tag:digest.example.org,2026:feed:all"
    assert [link.get("href") for link in root.findall(f"{ATOM}link")] == [
        "https://digest.example.org/",
        "https://digest.example.org/feeds/all.atom.xml",
    ]
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == "tag:digest.example.org,2026:item:abc123"
    assert entry.find(f"{ATOM}link").get("href") == (
        "https://digest.example.org/items/talks-resume/"
    )
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert 'href="https://digest.example.org/items/other/"' in content.text
    assert content.text.endswith(
        '<a href="https://example.com/story">Example Wire</a>.</p>'
    )
    assert entry.findtext(f"{ATOM}summary") == "Both sides met."
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [
        "World",
        "NATO",
        "News",
    ]
    assert entry.findtext(f"{ATOM}published") == "2022-01-05T10:00:00+00:00"


def test_rss_feed_has_non_permalink_tag_guid_and_absolute_links():
    xml = write("rss", [fake_item()])
    assert (
        '<guid isPermaLink="false">tag:digest.example.org,2026:item:abc123</guid>'
        in xml
    )
    channel = ET.fromstring(xml).find("channel")
    assert channel.findtext("link") == "https://digest.example.org/"
    item = channel.find("item")
    assert item.findtext("link") == "https://digest.example.org/items/talks-resume/"
    assert item.findtext("description").endswith(
        '<a href="https://example.com/story">Example Wire</a>.</p>'
    )
    assert item.findtext("pubDate") == "Wed, 05 Jan 2022 10:00:00 +0000"


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_title_with_markup_characters_is_escaped_xml(fmt):
    xml = write(fmt, [fake_item(title="A < B & C")])
    assert "<title>A &lt; B &amp; C</title>" in xml
    root = ET.fromstring(xml)
    titles = [e.text for e in root.iter() if e.tag.endswith("title")]
    assert "A < B & C" in titles


def test_atom_updated_comes_from_the_item_update():
    item = fake_item(updated=dt.datetime(2022, 2, 1, 9, 0, tzinfo=dt.UTC))
    root = ET.fromstring(write("atom", [item]))
    assert root.findtext(f"{ATOM}updated") == "2022-02-01T09:00:00+00:00"
    assert root.find(f"{ATOM}entry").findtext(f"{ATOM}updated") == (
        "2022-02-01T09:00:00+00:00"
    )


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("atom", "<updated>2021-06-01T12:00:00+00:00</updated>"),
        ("rss", "<lastBuildDate>Tue, 01 Jun 2021 12:00:00 +0000</lastBuildDate>"),
    ],
)
def test_empty_feed_uses_the_fallback_date_not_the_clock(fmt, expected):
    xml = write(fmt, [])
    assert expected in xml
    assert "<entry>" not in xml
    assert "<item>" not in xml


def test_topic_feed_lives_under_feeds_topics():
    spec = FeedSpec("topics/world", "Digest: World", "Stories.", "topics/world/")
    root = ET.fromstring(write("atom", [], spec=spec))
    assert root.findtext(f"{ATOM}id") == "tag:digest.example.org,2026:feed:topics/world"
    assert [link.get("href") for link in root.findall(f"{ATOM}link")] == [
        "https://digest.example.org/topics/world/",
        "https://digest.example.org/feeds/topics/world.atom.xml",
    ]


def test_rss_channel_description_is_html_escaped_once():
    spec = FeedSpec("all", "Digest", "Diplomacy, security & <relations>", "")
    channel = ET.fromstring(write("rss", [], spec=spec)).find("channel")
    assert (
        channel.findtext("description") == "Diplomacy, security &amp; &lt;relations&gt;"
    )


def test_atom_subtitle_is_plain_text():
    spec = FeedSpec("all", "Digest", "Diplomacy, security & relations", "")
    root = ET.fromstring(write("atom", [], spec=spec))
    assert root.findtext(f"{ATOM}subtitle") == "Diplomacy, security & relations"


# --- feed_settings, feed_specs, feed_links ----------------------------------------


def test_feed_settings_defaults_and_base_url_from_siteurl():
    assert feed_settings(SETTINGS) == {
        "formats": ["atom", "rss"],
        "limit": 30,
        "per_topic": True,
        "per_tag": True,
        "per_source": False,
        "content": "full",
        "base_url": "https://digest.example.org/",
    }


@pytest.mark.parametrize(
    ("settings", "base"),
    [
        (
            {"SITEURL": "", "FEED_DOMAIN": "https://feeds.example.org"},
            "https://feeds.example.org/",
        ),
        (
            {"SITEURL": "", "DIGEST_FEEDS": {"base_url": "http://localhost:8000/"}},
            "http://localhost:8000/",
        ),
        (
            {
                "SITEURL": "https://a.example",
                "DIGEST_FEEDS": {"base_url": "https://b.example"},
            },
            "https://b.example/",
        ),
    ],
)
def test_feed_base_url_precedence(settings, base):
    assert feed_settings({"SITENAME": "D", **settings})["base_url"] == base


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        (
            {"SITEURL": "https://d.org", "DIGEST_FEEDS": {"formats": ["atom", "yaml"]}},
            'DIGEST_FEEDS["formats"]',
            "['yaml'] are not feed formats.",
        ),
        (
            {"SITEURL": ""},
            'DIGEST_FEEDS["base_url"]',
            "feeds need an absolute base URL, but SITEURL is ''.",
        ),
        (
            {"SITEURL": "../.."},
            'DIGEST_FEEDS["base_url"]',
            "feeds need an absolute base URL, but SITEURL is '../..'.",
        ),
        (
            {"SITEURL": "ftp://d.org"},
            'DIGEST_FEEDS["base_url"]',
            "feeds need an absolute base URL, but SITEURL is 'ftp://d.org'.",
        ),
        (
            {"SITEURL": "https://d.org", "DIGEST_FEEDS": {"content": "excerpt"}},
            'DIGEST_FEEDS["content"]',
            "must be 'full' or 'summary'.",
        ),
        (
            {"SITEURL": "https://d.org", "DIGEST_FEEDS": {"limit": "30"}},
            'DIGEST_FEEDS["limit"]',
            "must be int, not str.",
        ),
    ],
)
def test_feed_settings_refuse_with_a_clear_message(settings, field, message):
    with pytest.raises(DigestError) as raised:
        feed_settings({"SITENAME": "D", **settings})
    assert str(raised.value).startswith("DIGEST_FEEDS is invalid:")
    assert [(p.field, p.message) for p in raised.value.report.errors] == [
        (field, message)
    ]
    assert f"[{field}]: {message}" in str(raised.value)


def test_no_feed_formats_need_no_base_url():
    assert (
        feed_settings({"SITEURL": "", "DIGEST_FEEDS": {"formats": []}})["formats"] == []
    )


def test_feed_specs_cover_all_topics_and_tags_with_their_items():
    world = SimpleNamespace(
        name="World", slug="world", url="topics/world/", description="Everywhere."
    )
    arts = SimpleNamespace(name="Arts", slug="arts", url="topics/arts/")
    nato = SimpleNamespace(name="NATO", slug="nato", url="tags/nato/")
    context = {
        "articles": ["a1", "a2"],
        "categories": [(world, ["a1"]), (arts, ["a2"])],
        "tags": [(nato, ["a2"])],
    }
    specs = feed_specs(context, {"SITENAME": "D"}, config())
    assert [(s.key, s.title, s.description, s.page_url, i) for s, i in specs] == [
        ("all", "D: all stories", "Every story in D.", "", ["a1", "a2"]),
        ("topics/arts", "D: Arts", "Stories on Arts.", "topics/arts/", ["a2"]),
        ("topics/world", "D: World", "Everywhere.", "topics/world/", ["a1"]),
        (
            "tags/nato",
            "D: stories tagged \u201cNATO\u201d",
            "Stories tagged \u201cNATO\u201d in D.",
            "tags/nato/",
            ["a2"],
        ),
    ]
    assert specs[1][0].path("rss") == "feeds/topics/arts.rss.xml"


def test_feed_links_follow_the_configured_formats_and_kinds():
    settings = {**SETTINGS, "DIGEST_FEEDS": {"formats": ["rss"], "per_tag": False}}
    assert feed_links(settings, "topics/world", "World") == [
        {
            "path": "feeds/topics/world.rss.xml",
            "type": "application/rss+xml",
            "format": "RSS",
            "title": "World (RSS)",
        }
    ]
    assert feed_links(settings, "tags/nato", "NATO") == []
    assert feed_links(settings, "sources/ap", "AP") == []
    assert [link["path"] for link in feed_links(SETTINGS, "all", "All")] == [
        "feeds/all.atom.xml",
        "feeds/all.rss.xml",
    ]

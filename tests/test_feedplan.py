"""newsdigest.feeds.plan: the feeds a site has, checked once, linked as written."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from newsdigest.feeds.formats import EXTRA_FEEDS_KEY
from newsdigest.feeds.plan import feed_links, feed_specs, feed_title, feeds_config
from newsdigest.problems import DigestError
from newsdigest.settings import Config

SETTINGS = {"SITENAME": "Digest", "SITEURL": "https://digest.example.org"}


def wrapper(slug, name, url):
    return SimpleNamespace(slug=slug, name=name, url=url, description="")


def test_feeds_config_is_frozen_and_resolves_the_base_url():
    config = feeds_config({**SETTINGS, "DIGEST_FEEDS": {"formats": ["atom"]}})
    assert isinstance(config, Config)
    assert config["formats"] == ("atom",)
    assert config["base_url"] == "https://digest.example.org/"


def test_feeds_config_refuses_with_every_key():
    with pytest.raises(DigestError) as refused:
        feeds_config({"SITEURL": "", "DIGEST_FEEDS": {"formats": ["xml"]}})
    text = str(refused.value)
    assert 'DIGEST_FEEDS["formats"]' in text
    assert 'DIGEST_FEEDS["base_url"]' in text


def test_feed_specs_one_per_topic_and_tag_sources_when_asked():
    context = {
        "articles": ["a", "b"],
        "categories": [(wrapper("world", "World", "topics/world/"), ["a"])],
        "tags": [(wrapper("nato", "NATO", "tags/nato/"), ["b"])],
        "sources": [(wrapper("wire", "Wire", "sources/wire/"), ["a", "b"])],
    }
    settings = {**SETTINGS, "DIGEST_FEEDS": {"per_source": True}}
    specs = feed_specs(context, settings, feeds_config(settings))
    assert [(spec.key, spec.page_url, items) for spec, items in specs] == [
        ("all", "", ["a", "b"]),
        ("topics/world", "topics/world/", ["a"]),
        ("tags/nato", "tags/nato/", ["b"]),
        ("sources/wire", "sources/wire/", ["a", "b"]),
    ]


def test_feed_links_only_for_feeds_that_are_written():
    settings = {
        **SETTINGS,
        "DIGEST_FEEDS": {"formats": ["atom", "json"]},
        EXTRA_FEEDS_KEY: {"editions": ["rss"]},
    }
    assert [link["path"] for link in feed_links(settings, "tags/nato", "T")] == [
        "feeds/tags/nato.atom.xml",
        "feeds/tags/nato.json",
    ]
    assert feed_links(settings, "sources/wire", "S") == []  # per_source is off
    assert [link["path"] for link in feed_links(settings, "editions", "E")] == [
        "feeds/editions.rss.xml"
    ]


@pytest.mark.parametrize(
    ("key", "name", "title"),
    [
        ("all", "", "Digest: all stories"),
        ("topics/world", "World", "Digest: World"),
        ("tags/nato", "NATO", "Digest: stories tagged “NATO”"),
        ("sources/wire", "Wire", "Digest: stories from Wire"),
        ("editions", "", "Digest: editions"),
        ("tags/x", "{site} {name}", "Digest: stories tagged “{site} {name}”"),
    ],
)
def test_feed_title(key, name, title):
    assert feed_title(key, "Digest", name) == title


def test_feed_links_are_titled_as_the_feed_unless_a_theme_says_otherwise():
    (atom,) = feed_links({**SETTINGS, "DIGEST_FEEDS": {"formats": ["atom"]}}, "all")
    assert atom["title"] == "Digest: all stories (Atom)"
    named = feed_links(SETTINGS, "tags/nato", name="NATO")
    assert [link["title"] for link in named] == [
        "Digest: stories tagged “NATO” (Atom)",
        "Digest: stories tagged “NATO” (RSS)",
    ]
    assert feed_links(SETTINGS, "tags/nato", "Mine")[0]["title"] == "Mine (Atom)"


def test_feed_specs_take_their_titles_from_feed_title():
    context = {
        "articles": [],
        "categories": [(wrapper("world", "World", "topics/world/"), [])],
        "tags": [(wrapper("nato", "NATO", "tags/nato/"), [])],
    }
    specs = feed_specs(context, SETTINGS, feeds_config(dict(SETTINGS)))
    assert [spec.title for spec, _ in specs] == [
        feed_title("all", "Digest"),
        feed_title("topics/world", "Digest", "World"),
        feed_title("tags/nato", "Digest", "NATO"),
    ]


@pytest.mark.slow
def test_every_linked_feed_has_the_title_its_link_says(sample_site):
    """Every <link rel=alternate> of the built sample site names the feed it
    links by that feed's own <title>."""
    import re
    import xml.etree.ElementTree as ET
    from html import unescape

    links = re.compile(
        r'<link rel="alternate" type="application/(?:atom|rss)\+xml" '
        r'href="([^"]+)" title="([^"]+)"'
    )
    seen = {}
    for page in sorted(sample_site.output.rglob("*.html")):
        for href, title in links.findall(page.read_text(encoding="utf-8")):
            path = href.split("feeds/", 1)[1]
            seen[path] = unescape(title)
    assert len(seen) > 5
    for path, title in seen.items():
        root = ET.parse(sample_site.output / "feeds" / path).getroot()
        feed_name = root.findtext("{http://www.w3.org/2005/Atom}title") or (
            root.findtext("channel/title")
        )
        assert title.rsplit(" (", 1)[0] == feed_name, path

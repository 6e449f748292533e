"""newsdigest.feedplan: the feeds a site has, checked once, linked as written."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from newsdigest.feedformats import EXTRA_FEEDS_KEY
from newsdigest.feedplan import feed_links, feed_specs, feeds_config
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

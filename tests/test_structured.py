"""Structured data (newsdigest.discovery.structured): JSON-LD, social cards and the item
data feed entries carry, on fake items.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from newsdigest.discovery.structured import (
    collection_jsonld,
    item_jsonld,
    item_modified,
    jsonld_script,
    social_meta,
)
from newsdigest.feeds.plan import feed_settings
from newsdigest.plugins.feeds import FeedSpec, build_feed
from tests.helpers import BASE, ScriptTexts, day, fake_item

ATOM = "{http://www.w3.org/2005/Atom}"


def test_a_correction_without_updated_is_the_modified_date():
    fixed = fake_item(corrections=[{"date": day(7), "text": "Fixed a name."}])
    assert item_modified(fixed) == day(7)
    assert item_modified(fake_item(updated=day(6))) == day(6)
    assert item_modified(fake_item()) == day(5)


def test_news_article_names_the_original_its_authors_and_our_digest():
    corrected = fake_item(corrections=[{"date": day(7), "text": "Fixed a name."}])
    article, crumbs = item_jsonld(corrected, BASE, "The Digest", BASE + "card.png")
    assert article["@type"] == "NewsArticle"
    assert article["datePublished"] == "2022-01-05T12:00:00+00:00"
    assert article["dateModified"] == "2022-01-07T12:00:00+00:00"
    assert article["url"] == BASE + "2022/01/talks-resume/"
    assert article["author"] == [
        {"@type": "Person", "name": "Ana Ruiz"},
        {"@type": "Person", "name": "Ben Ode"},
    ]
    assert article["publisher"] == {
        "@type": "Organization",
        "name": "The Digest",
        "url": BASE,
    }
    assert article["isBasedOn"]["url"] == "https://example.com/story"
    assert article["isBasedOn"]["publisher"]["name"] == "Example Wire"
    assert article["correction"] == [
        {
            "@type": "CorrectionComment",
            "datePublished": "2022-01-07T12:00:00+00:00",
            "text": "Fixed a name.",
        }
    ]
    assert article["image"] == [BASE + "card.png"]
    assert article["genre"] == "Analysis"
    assert [c["name"] for c in crumbs["itemListElement"]] == [
        "Home",
        "World",
        "Talks resume",
    ]


def test_without_authors_the_outlet_is_the_author():
    article, _ = item_jsonld(fake_item(source_authors=None), BASE, "D")
    assert article["author"] == [{"@type": "Organization", "name": "Example Wire"}]
    assert "image" not in article


def test_a_paywalled_original_is_not_accessible_for_free():
    for paywall, free in (("metered", False), ("hard", False), ("none", None)):
        article, _ = item_jsonld(fake_item(paywall=paywall), BASE, "D")
        assert article["isBasedOn"].get("isAccessibleForFree") is free, paywall
        assert "isAccessibleForFree" not in article  # our summary is free to read


def test_the_original_says_its_outlet_language_when_known():
    article, _ = item_jsonld(fake_item(source_language="pt-BR"), BASE, "D")
    assert article["isBasedOn"]["inLanguage"] == "pt-BR"
    article, _ = item_jsonld(fake_item(), BASE, "D")
    assert "inLanguage" not in article["isBasedOn"]


@pytest.mark.parametrize(
    "title",
    [
        "</script><script>alert(1)</script>",
        "<!-- <script> a & b -->",
        "</SCRIPT >\u2028",
    ],
)
def test_jsonld_survives_a_closing_script_tag_in_a_title(title):
    markup = str(jsonld_script(item_jsonld(fake_item(title=title), BASE, "D")[0]))
    parser = ScriptTexts()
    parser.feed(markup + "<p>after</p>")
    assert len(parser.scripts) == 1
    assert json.loads(parser.scripts[0])["headline"] == title


def test_listing_is_a_collection_page_with_an_item_list():
    data = collection_jsonld(
        "World", BASE + "topics/world/", [fake_item(), fake_item(title="B")], BASE
    )
    assert data["@type"] == "CollectionPage"
    assert data["mainEntity"]["@type"] == "ItemList"
    assert [e["position"] for e in data["mainEntity"]["itemListElement"]] == [1, 2]
    assert data["mainEntity"]["itemListElement"][1]["name"] == "B"


def test_item_card_has_article_times_section_tags_and_an_image():
    tags = social_meta(
        title="T",
        description="D",
        url=BASE,
        site_name="S",
        image=BASE + "card.png",
        image_alt="Alt",
        item=fake_item(updated=day(6)),
    )
    names = {name: content for _, name, content in tags}
    assert names["article:published_time"] == "2022-01-05T12:00:00+00:00"
    assert names["article:modified_time"] == "2022-01-06T12:00:00+00:00"
    assert names["article:section"] == "World"
    assert names["article:tag"] == "NATO"
    assert names["og:image"] == BASE + "card.png"
    assert names["twitter:card"] == "summary_large_image"
    assert ("property", "og:type", "article") in tags


# --- Feeds ----------------------------------------------------------------------
def atom_entry(thing) -> ET.Element:
    settings = {"SITENAME": "The Digest", "SITEURL": BASE.rstrip("/")}
    config = feed_settings(settings)
    feed = build_feed(
        "atom",
        FeedSpec("all", "All", "Every story.", ""),
        [thing],
        settings,
        config,
        "digest.example.org,2026",
        day(1),
    )
    return ET.fromstring(feed.writeString("utf-8")).find(f"{ATOM}entry")


def test_feed_entry_carries_label_corrections_and_credits():
    entry = atom_entry(
        fake_item(corrections=[{"date": day(7), "text": "Fixed <a> name."}])
    )
    assert entry.findtext(f"{ATOM}updated") == "2022-01-07T12:00:00+00:00"
    terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
    assert "Analysis" in terms
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "The Digest"
    content = entry.findtext(f"{ATOM}content")
    assert content.startswith("<p><strong>Analysis</strong></p>")
    assert "2022-01-07: Fixed &lt;a&gt; name." in content
    assert "Original by Ana Ruiz, Ben Ode, Example Wire." in content

"""The committed sample digest, built with pinned clock, timezone and locale."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import html5lib
import pytest

from newsdigest.sitecheck import check_site

# Every test here reads the sample digest built once for the session.
pytestmark = pytest.mark.slow

SEED_URL = (
    "https://www.telesurenglish.net/news/"
    "FM-Lavrov-Said-Russia-Would-Eliminate-Threats-to-Its-Security-20211231-0009.html"
)
EVERY_PAGE_KIND = [
    "index.html",
    "page/2/index.html",
    "topics/index.html",
    "topics/geopolitics/index.html",
    "tags/index.html",
    "tags/nato/index.html",
    "sources/index.html",
    "sources/telesur-english/index.html",
    "archive/index.html",
    "archive/2021/12/index.html",
    "archive/2022/01/index.html",
    "about/index.html",
    "404.html",
    "feeds/all.atom.xml",
    "feeds/all.rss.xml",
    "feeds/topics/geopolitics.atom.xml",
    "feeds/topics/geopolitics.rss.xml",
    "feeds/tags/nato.atom.xml",
    "feeds/tags/nato.rss.xml",
]


def seed_page(site) -> Path:
    (path,) = [
        p for p in site.output.glob("2022/01/*/index.html") if SEED_URL in p.read_text()
    ]
    return path


@pytest.mark.parametrize("relative", EVERY_PAGE_KIND)
def test_every_page_kind_is_built(sample_site, relative):
    assert (sample_site.output / relative).is_file()


def test_output_is_a_symlink_to_a_kept_build(sample_site):
    assert sample_site.output.is_symlink()
    # the builds folder of its own output (a development build: output-dev)
    assert sample_site.output.resolve().parent.name == ".output-dev.builds"


def test_internal_links_assets_anchors_feeds_and_html_all_check_out(sample_site):
    report = check_site(sample_site.output, site_url="http://127.0.0.1:8000")
    assert report.errors == []


def test_seed_item_page_links_its_original(sample_site):
    doc = html5lib.parse(
        seed_page(sample_site).read_text(), namespaceHTMLElements=False
    )
    links = [a for a in doc.iter("a") if a.get("href") == SEED_URL]
    assert links, "no link to the original"
    text = " ".join("".join(a.itertext()) for a in links)
    assert "Read the original at" in text and "teleSUR English" in text
    assert len(links) == 1  # once, not again at the foot of the page
    assert all("noopener" in a.get("rel", "") for a in links)


def test_search_indexes_the_items_summary_and_body_only(sample_site):
    """Pagefind indexes what is inside data-pagefind-body: the summary and the
    body, not the label, the byline or the link to the original."""
    doc = html5lib.parse(
        seed_page(sample_site).read_text(), namespaceHTMLElements=False
    )
    indexed = [e for e in doc.iter() if e.get("data-pagefind-body") is not None]
    assert [e.get("class") for e in indexed] == ["lede", "item__body prose"]
    text = " ".join("".join(e.itertext()) for e in indexed)
    assert "push for security guarantees" in text
    for chrome in ("Read the original", "min read", "Added", "Geopolitics", "News"):
        assert chrome not in text, chrome
    (title,) = [e for e in doc.iter("h1")]
    assert title.get("data-pagefind-meta") == "title"
    # the filters stay on the page, outside the indexed text
    filters = {e.get("data-pagefind-filter", "").split("[")[0] for e in doc.iter()}
    assert {"topic", "source", "label", "tag"} <= filters


def test_seed_item_page_shows_the_item(sample_site):
    html = seed_page(sample_site).read_text()
    for expected in (
        "Lavrov",
        "31 December 2021",
        "Geopolitics",
        "NATO",
        "Sergei Lavrov, to Sputnik",
    ):
        assert expected in html


def test_drafts_are_built_apart_and_not_listed(sample_site):
    assert list(sample_site.output.glob("drafts/*/index.html"))
    assert "hospital-at-home" not in sample_site.page("index.html")
    assert "hospital-at-home" not in sample_site.page("feeds/all.atom.xml")


def test_tag_spellings_meet_in_one_tag(sample_site):
    tags = sorted(p.parent.name for p in sample_site.output.glob("tags/*/index.html"))
    assert "nato" in tags and len([t for t in tags if t.lower() == "nato"]) == 1
    assert "climate-policy" in tags
    assert ">NATO<" in sample_site.page("tags/nato/index.html")


@pytest.mark.parametrize(
    "name", ["all.atom.xml", "all.rss.xml", "topics/climate.atom.xml"]
)
def test_feeds_parse_with_absolute_stable_ids(sample_site, name):
    feed = feedparser.parse(sample_site.page(f"feeds/{name}"))
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries
    for entry in feed.entries:
        assert entry.id.startswith("tag:digest.example.org,2026:item:")
        assert entry.link.startswith("http://127.0.0.1:8000/")
        html = entry.get("content", [{}])[0].get("value") or entry.get("summary", "")
        assert not re.search(r'(href|src)="(?!https?://)', html)
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids))


def test_rss_guid_is_not_a_permalink(sample_site):
    rss = sample_site.page("feeds/all.rss.xml")
    assert '<guid isPermaLink="false">tag:' in rss


def test_topic_feed_is_named_after_its_topic(sample_site):
    feed = feedparser.parse(sample_site.page("feeds/topics/climate.atom.xml"))
    assert feed.feed.title.endswith("Climate")


def test_every_page_links_the_site_feeds(sample_site):
    for relative in ("index.html", "about/index.html", "tags/nato/index.html"):
        html = sample_site.page(relative)
        assert 'type="application/atom+xml"' in html
        assert "feeds/all.atom.xml" in html
    assert "feeds/tags/nato.atom.xml" in sample_site.page("tags/nato/index.html")


def test_item_page_is_small(sample_site):
    """An item page and the stylesheets it links stay under 25 KB uncompressed."""
    page = seed_page(sample_site)
    linked = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.read_text())
    assert linked, "the item page links its stylesheet"
    css = sum((page.parent / href).resolve().stat().st_size for href in linked)
    assert page.stat().st_size + css < 25_000


def test_build_ends_with_a_summary(make_project):
    project = make_project(sample=True)
    result = project.build()
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"newsdigest: 15 items, \d+ pages, \d+ feeds, \d+ warnings, [\d.]+ s",
        result.stdout,
    )

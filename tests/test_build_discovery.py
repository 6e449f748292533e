"""Related stories, structured data, feeds' item data, sitemaps, OPML and search.

Library functions are called with plain objects; the plugins are checked on
real builds of small projects (the pinned build date is 2022-02-01).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from newsdigest.discovery import (
    SitemapEntry,
    discovery_settings,
    news_items,
    news_sitemap_xml,
    robots_txt,
    sitemap_xml,
)
from newsdigest.feeds import FeedSpec, build_feed, feed_settings
from newsdigest.problems import DigestError
from newsdigest.related import Story, related_stories, topic_neighbours
from newsdigest.search import index_key, indexed_pages
from newsdigest.structured import (
    collection_jsonld,
    item_jsonld,
    item_modified,
    jsonld_script,
    social_meta,
)
from tests.helpers import item

UTC = dt.UTC
BASE = "https://digest.example.org/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def day(n: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2022, 1, n, hour, tzinfo=UTC)


# --- Related and neighbouring stories -------------------------------------------


def test_shared_tags_outrank_topic_and_source_and_recency_breaks_ties():
    stories = [
        Story("me", day(10), "world", "wire", ("nato", "talks")),
        Story("two-tags", day(1), "science", "gazette", ("nato", "talks")),
        Story("one-tag", day(2), "science", "gazette", ("nato",)),
        Story("topic-old", day(3), "world", "gazette"),
        Story("topic-new", day(4), "world", "gazette"),
        Story("source", day(5), "science", "wire"),
        Story("nothing", day(6), "science", "gazette", ("other",)),
    ]
    related = related_stories(stories, limit=5)
    assert related["me"] == ["two-tags", "one-tag", "topic-new", "topic-old", "source"]
    assert "nothing" not in related["me"]


def test_related_lists_at_most_the_limit():
    stories = [Story(n, day(1 + n % 28), "world", "wire", ("x",)) for n in range(20)]
    assert all(len(keys) == 5 for keys in related_stories(stories, 5).values())
    assert related_stories(stories, 0)[0] == []


def test_a_huge_tag_is_scanned_in_a_window_not_pairwise():
    """An item only sees its nearest neighbours in each index, so work per item
    is bounded: with a window of 3, a story 100 places away is never scored."""
    base = dt.datetime(2020, 1, 1, tzinfo=UTC)
    stories = [
        Story(n, base + dt.timedelta(hours=n), "t", f"s{n}", ("big",))
        for n in range(200)
    ]
    related = related_stories(stories, limit=50, window=3)
    assert sorted(related[100]) == [97, 98, 99, 101, 102, 103]


def test_neighbours_are_older_and_newer_in_the_same_topic():
    stories = [
        Story("a", day(1), "world", "w"),
        Story("b", day(2), "science", "w"),
        Story("c", day(3), "world", "w"),
        Story("d", day(4), "world", "w"),
    ]
    neighbours = topic_neighbours(stories)
    assert neighbours["c"] == ("a", "d")
    assert neighbours["a"] == (None, "c")
    assert neighbours["b"] == (None, None)


# --- Structured data ----------------------------------------------------------------


def fake_item(**overrides):
    fields = {
        "title": "Talks resume",
        "url": "2022/01/talks-resume/",
        "summary": "Both sides met.",
        "source": "Example Wire",
        "source_url": "https://example.com/story",
        "source_date": day(4),
        "source_authors": ["Ana Ruiz", "Ben Ode"],
        "date": day(5),
        "updated": None,
        "corrections": [],
        "label": "analysis",
        "lang": "en",
        "item_id": "tag:digest.example.org,2026:item:abc",
        "category": SimpleNamespace(name="World", slug="world", url="topics/world/"),
        "tags": [SimpleNamespace(name="NATO", slug="nato", url="tags/nato/")],
        "image": None,
    }
    fields.update(overrides)
    thing = SimpleNamespace(**fields)
    thing.get_content = lambda siteurl: "<p>Body.</p>"
    return thing


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


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "script"
        if self._in:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.scripts[-1] += data


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
    parser = _Scripts()
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


# --- Sitemaps ----------------------------------------------------------------------


def test_sitemap_has_absolute_locations_and_w3c_lastmod():
    root = ET.fromstring(
        sitemap_xml(
            [
                SitemapEntry("", day(5)),
                SitemapEntry("about/", None),
                SitemapEntry("2022/01/a/", dt.datetime(2022, 1, 5, 9, 30, 15, 999)),
            ],
            BASE,
        )
    )
    urls = [(u.findtext(f"{SM}loc"), u.findtext(f"{SM}lastmod")) for u in root]
    assert urls == [
        (BASE, "2022-01-05T12:00:00+00:00"),
        (BASE + "2022/01/a/", "2022-01-05T09:30:15+00:00"),
        (BASE + "about/", None),
    ]


def test_news_sitemap_lists_the_last_two_days_before_the_build():
    build = dt.datetime(2022, 2, 1, tzinfo=UTC)
    items = [
        fake_item(title="old", date=dt.datetime(2022, 1, 29, 23, tzinfo=UTC)),
        fake_item(title="recent", date=dt.datetime(2022, 1, 30, 1, tzinfo=UTC)),
        fake_item(title="future", date=dt.datetime(2022, 2, 2, tzinfo=UTC)),
    ]
    recent = news_items(items, build, 2)
    assert [i.title for i in recent] == ["recent"]
    root = ET.fromstring(news_sitemap_xml(recent, BASE, "The Digest", "en"))
    news = root.find(f"{SM}url/{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "The Digest"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    assert news.findtext(f"{NEWS}publication_date") == "2022-01-30T01:00:00+00:00"


def test_robots_points_at_both_sitemaps():
    text = robots_txt(BASE, ["sitemap.xml", "news-sitemap.xml"])
    assert f"Sitemap: {BASE}sitemap.xml" in text.splitlines()
    assert f"Sitemap: {BASE}news-sitemap.xml" in text.splitlines()


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"related": -1}, 'DIGEST_DISCOVERY["related"]'),
        ({"sitemaps": True}, 'DIGEST_DISCOVERY["sitemaps"]'),
        ({"news_days": "2"}, 'DIGEST_DISCOVERY["news_days"]'),
    ],
)
def test_bad_discovery_settings_name_the_key(given, field):
    with pytest.raises(DigestError) as error:
        discovery_settings({"SITEURL": BASE, "DIGEST_DISCOVERY": given})
    assert field in str(error.value)


def test_discovery_needs_an_absolute_base():
    with pytest.raises(DigestError, match="base_url"):
        discovery_settings({"SITEURL": "", "DIGEST_FEEDS": {"base_url": None}})


# --- Search index key ---------------------------------------------------------------


def test_index_key_changes_with_indexed_pages_only(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_bytes(b"<article data-pagefind-body>A</article>")
    (tmp_path / "b.html").write_bytes(b"<p>not indexed</p>")
    options = {"language": "en", "base_path": "/"}
    key = index_key(indexed_pages(tmp_path), options)
    (tmp_path / "b.html").write_bytes(b"<p>changed, still not indexed</p>")
    assert index_key(indexed_pages(tmp_path), options) == key
    assert index_key(indexed_pages(tmp_path), {**options, "base_path": "/x/"}) != key
    (tmp_path / "a/index.html").write_bytes(b"<article data-pagefind-body>B</article>")
    assert index_key(indexed_pages(tmp_path), options) != key


# --- Whole builds ----------------------------------------------------------------


def jsonld_of(html: str) -> list[dict]:
    parser = _Scripts()
    parser.feed(html)
    return [json.loads(s) for s in parser.scripts if s.strip().startswith("{")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from tests.helpers import copy_project

    project = copy_project(tmp_path_factory.mktemp("discovery"), False)
    project.write(
        "content/items/evil.md",
        item(
            title="Talks </script><script>alert(1)</script> end",
            slug="evil",
            date="2022-01-31T08:00:00+00:00",
            tags=["NATO", "Talks"],
            authors=["Ana Ruiz"],
            label="opinion",
            corrections=[{"date": "2022-01-31T20:00:00+00:00", "text": "Fixed."}],
            source_url="https://example.com/evil",
        ),
    )
    project.write(
        "content/items/older.md",
        item(
            title="Older story",
            slug="older",
            date="2022-01-10T08:00:00+00:00",
            tags=["NATO"],
            source_url="https://example.com/older",
        ),
    )
    project.write(
        "content/items/hidden.md",
        item(
            title="Hidden story",
            slug="hidden",
            status="hidden",
            tags=["NATO"],
            source_url="https://example.com/hidden",
        ),
    )
    project.write(
        "content/items/draft.md",
        item(title="Draft story", slug="draft", status="draft", tags=["NATO"]),
    )
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_item_page_has_cards_jsonld_and_its_topic_feed(built):
    html = built.page("2022/01/evil/index.html")
    article, crumbs = jsonld_of(html)
    assert article["headline"] == "Talks </script><script>alert(1)</script> end"
    assert article["dateModified"] == "2022-01-31T20:00:00+00:00"
    assert crumbs["@type"] == "BreadcrumbList"
    assert "<script>alert(1)" not in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000/2022/01/evil/">' in html
    assert (
        'property="article:modified_time" content="2022-01-31T20:00:00+00:00"' in html
    )
    assert 'href="../../../feeds/topics/world.atom.xml"' in html
    assert "data-pagefind-body" in html


def test_item_page_lists_related_and_the_next_in_its_topic(built):
    html = built.page("2022/01/older/index.html")
    related = html[html.index("Related stories") :]
    assert "Talks &lt;/script&gt;" in related
    assert "Hidden story" not in html and "Draft story" not in html
    assert re.search(
        r'class="neighbours__next" href="[./]*2022/01/evil/" rel="next"', html
    )


def test_listing_pages_are_collection_pages(built):
    (data,) = jsonld_of(built.page("topics/world/index.html"))
    assert data["@type"] == "CollectionPage"
    names = [e["name"] for e in data["mainEntity"]["itemListElement"]]
    assert names == ["Talks </script><script>alert(1)</script> end", "Older story"]


def test_sitemaps_list_public_pages_and_recent_items(built):
    root = ET.fromstring((built.output / "sitemap.xml").read_bytes())
    locs = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root}
    base = "http://127.0.0.1:8000/"
    assert locs[base + "2022/01/evil/"] == "2022-01-31T20:00:00+00:00"
    assert locs[base] == "2022-01-31T20:00:00+00:00"
    assert base + "topics/world/" in locs and base + "search/" in locs
    assert not [u for u in locs if "hidden" in u or "draft" in u or "404" in u]
    news = ET.fromstring((built.output / "news-sitemap.xml").read_bytes())
    assert [u.findtext(f"{SM}loc") for u in news] == [base + "2022/01/evil/"]
    robots = (built.output / "robots.txt").read_text()
    assert f"Sitemap: {base}news-sitemap.xml" in robots


def test_opml_lists_every_topic_and_tag_feed_and_the_topics_index_links_it(built):
    root = ET.fromstring((built.output / "feeds.opml").read_bytes())
    feeds = {o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")}
    base = "http://127.0.0.1:8000/feeds/"
    assert feeds == {
        base + "topics/world.atom.xml",
        base + "tags/nato.atom.xml",
        base + "tags/talks.atom.xml",
    }
    assert 'href="../feeds.opml"' in built.page("topics/index.html")


def test_search_index_is_built_then_reused_until_an_item_changes(built):
    cache = built.root / "cache" / "newsdigest-search"
    (first,) = cache.iterdir()
    made = first.stat().st_ino
    assert (built.output / "pagefind" / "pagefind-ui.js").is_file()
    entry = json.loads((built.output / "pagefind/pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 2  # not hidden, not draft

    result = built.build()
    assert result.returncode == 0, result.stderr
    (again,) = cache.iterdir()
    assert (again.name, again.stat().st_ino) == (first.name, made)  # reused
    assert (built.output / "pagefind" / "pagefind-ui.js").is_file()

    built.write(
        "content/items/older.md",
        item(
            title="Older, edited", slug="older", source_url="https://example.com/older"
        ),
    )
    result = built.build()
    assert result.returncode == 0, result.stderr
    (second,) = cache.iterdir()
    assert second.name != first.name
    assert (built.output / "pagefind" / "pagefind-ui.js").is_file()


def test_search_can_be_turned_off(make_project):
    project = make_project()
    project.write("content/items/a.md", item())
    result = project.build(DIGEST_SEARCH={"enabled": False})
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project.output / "pagefind").exists()
    assert not (project.output / "search").exists()
    assert 'class="site-search"' not in project.page("index.html")


# --- Site checks of sitemaps ---------------------------------------------------------


def sitemap_problems(tmp_path, sitemap: str, robots: str = "") -> list[str]:
    from newsdigest.sitecheck import check_site

    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "a/index.html").write_text("<!DOCTYPE html><title>a</title>")
    (tmp_path / "sitemap.xml").write_text(sitemap)
    if robots:
        (tmp_path / "robots.txt").write_text(robots)
    report = check_site(tmp_path, site_url=BASE.rstrip("/"), checks=["sitemaps"])
    return [f"{p.field}: {p.message}" for p in report.errors]


def urlset(*urls: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(urls)
        + "</urlset>"
    )


def test_site_check_accepts_a_good_sitemap_and_robots(tmp_path):
    good = urlset(
        f"<url><loc>{BASE}a/</loc><lastmod>2022-01-05T10:00:00+00:00</lastmod>"
        "<news:news><news:publication><news:name>D</news:name>"
        "<news:language>en</news:language></news:publication>"
        "<news:publication_date>2022-01-05</news:publication_date>"
        "<news:title>T</news:title></news:news></url>"
    )
    assert sitemap_problems(tmp_path, good, f"Sitemap: {BASE}sitemap.xml\n") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"<url><loc>{BASE}missing/</loc></url>", "loc: "),
        ("<url><loc>a/</loc></url>", "is not absolute"),
        ("<url><loc>https://elsewhere.example/a/</loc></url>", "not a page of this"),
        (f"<url><loc>{BASE}a/</loc><lastmod>05/01/2022</lastmod></url>", "W3C"),
        (f"<url><loc>{BASE}a/</loc><lastmod>2022-13-40</lastmod></url>", "real date"),
        (
            f"<url><loc>{BASE}a/</loc><news:news><news:title>T</news:title>"
            "</news:news></url>",
            "news:name",
        ),
    ],
)
def test_site_check_rejects_bad_sitemap_entries(tmp_path, url, expected):
    problems = sitemap_problems(tmp_path, urlset(url))
    assert any(expected in p for p in problems), problems


def test_site_check_rejects_robots_pointing_elsewhere(tmp_path):
    robots = "User-agent: *\nSitemap: https://elsewhere.example/sitemap.xml\n"
    problems = sitemap_problems(tmp_path, urlset(), robots)
    assert problems == [
        "Sitemap: 'https://elsewhere.example/sitemap.xml' is not a sitemap of this site"
    ]


def test_a_damaged_kept_index_is_built_again(tmp_path):
    from newsdigest.search import build_index

    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a/index.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>A</title>'
        "<article data-pagefind-body><h1>Alpha</h1><p>Zebra words.</p></article>"
    )
    cache = tmp_path / "cache"
    options = {"language": "en", "base_path": "/"}
    key, reused, count = build_index(site, cache, options)
    assert (reused, count) == (False, 1)
    (cache / "leftover-of-a-crash").mkdir()
    assert build_index(site, cache, options)[1] is True
    (cache / key / "pagefind" / "pagefind-ui.js").unlink()
    assert build_index(site, cache, options) == (key, False, 1)
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
    assert sorted(p.name for p in cache.iterdir()) == [key]


def test_results_link_to_the_pages_under_the_sites_base_path(tmp_path):
    """A digest published under https://host/digest/ links its results there."""
    import gzip

    from newsdigest.search import build_index

    site = tmp_path / "site"
    for name in ("alpha", "beta"):
        (site / "2022/01" / name).mkdir(parents=True)
        (site / "2022/01" / name / "index.html").write_text(
            f'<!DOCTYPE html><html lang="en"><title>{name}</title>'
            f"<article data-pagefind-body><h1>{name}</h1><p>Zebra.</p></article>"
        )
    (site / "about.html").write_text("<!DOCTYPE html><title>x</title><p>No body</p>")
    options = {"language": "en", "base_path": "/digest/"}
    _, _, count = build_index(site, tmp_path / "cache", options)
    assert count == 2
    urls = sorted(
        json.loads(gzip.decompress(path.read_bytes())[12:])["url"]
        for path in (site / "pagefind" / "fragment").glob("*.pf_fragment")
    )
    assert urls == ["/digest/2022/01/alpha/", "/digest/2022/01/beta/"]

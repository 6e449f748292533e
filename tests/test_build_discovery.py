"""Discovery in built sites: related stories, structured data, sitemaps, OPML and
search, checked on real builds of small projects (the pinned build date is
2022-02-01). The library functions have their own files: test_related.py,
test_structured.py, test_discovery.py, test_search.py, test_sitecheck_sitemaps.py.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.helpers import ScriptTexts, item

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# --- Whole builds ----------------------------------------------------------------


def jsonld_of(html: str) -> list[dict]:
    parser = ScriptTexts()
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_item_page_lists_related_and_the_next_in_its_topic(built):
    html = built.page("2022/01/older/index.html")
    related = html[html.index("Related stories") :]
    assert "Talks &lt;/script&gt;" in related
    assert "Hidden story" not in html and "Draft story" not in html
    assert re.search(
        r'class="neighbours__next" href="[./]*2022/01/evil/" rel="next"', html
    )


@pytest.mark.slow
def test_listing_pages_are_collection_pages(built):
    (data,) = jsonld_of(built.page("topics/world/index.html"))
    assert data["@type"] == "CollectionPage"
    names = [e["name"] for e in data["mainEntity"]["itemListElement"]]
    assert names == ["Talks </script><script>alert(1)</script> end", "Older story"]


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_search_can_be_turned_off(make_project):
    project = make_project()
    project.write("content/items/a.md", item())
    result = project.build(DIGEST_SEARCH={"enabled": False})
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project.output / "pagefind").exists()
    assert not (project.output / "search").exists()
    assert 'class="site-search"' not in project.page("index.html")

"""Outlets described in content/sources.yml reach the pages: paywall marks on
the links to originals, the source page's note and the JSON-LD."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import item, output_of

pytestmark = pytest.mark.slow

SOURCES = """\
Example Wire:
  homepage: https://example.com/
  language: en
  paywall: metered
Locked Times:
  paywall: hard
Open Post:
  paywall: none
  feed: https://open.example/feed.xml
"""


def jsonld(html: str) -> dict:
    article, _crumbs = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    return json.loads(article)


def test_paywalled_outlets_are_marked_in_words_and_in_json_ld(make_project):
    project = make_project()
    project.write("content/sources.yml", SOURCES)
    # The outlet is matched whatever the case of the item's `source`.
    project.write("content/items/a.md", item(slug="metered", source="example wire"))
    project.write(
        "content/items/b.md",
        item(slug="hard", source="Locked Times", source_url="https://l.example/1"),
    )
    project.write(
        "content/items/c.md",
        item(slug="open", source="Open Post", source_url="https://o.example/1"),
    )
    project.write(
        "content/items/d.md",
        item(slug="unlisted", source="Nobody", source_url="https://n.example/1"),
    )
    result = project.build()
    assert result.returncode == 0, output_of(result)

    metered = project.page("2022/01/metered/index.html")
    original = re.search(r'<p class="original">(.*?)</p>', metered, re.S).group(1)
    assert "Read the original at example wire" in original
    assert "(metered paywall: a few free articles, then a subscription)" in original
    assert jsonld(metered)["isBasedOn"]["isAccessibleForFree"] is False
    assert jsonld(metered)["isBasedOn"]["inLanguage"] == "en"

    hard = project.page("2022/01/hard/index.html")
    # Beside the one "Read the original" the item page has.
    assert hard.count("(paywall: subscription required)") == 1
    assert jsonld(hard)["isBasedOn"]["isAccessibleForFree"] is False
    # Feed readers are told too, in the same words.
    feed = project.page("feeds/all.atom.xml")
    assert "Locked Times&lt;/a&gt; (paywall: subscription required).&lt;/p&gt;" in feed
    assert "Nobody&lt;/a&gt;.&lt;/p&gt;" in feed

    for free in ("open", "unlisted"):
        html = project.page(f"2022/01/{free}/index.html")
        assert "paywall" not in html
        assert "isAccessibleForFree" not in jsonld(html)["isBasedOn"]

    wire = project.page("sources/example-wire/index.html")
    assert wire.count("are behind a metered paywall") == 1
    assert '<a href="https://example.com/" rel="noopener">' in wire  # its homepage
    locked = project.page("sources/locked-times/index.html")
    assert "Articles from Locked Times are behind a paywall" in locked
    assert "paywall" not in project.page("sources/open-post/index.html")


def test_a_bad_sources_file_stops_the_build_naming_line_and_field(make_project):
    project = make_project()
    project.write(
        "content/sources.yml",
        "Example Wire:\n  paywall: sometimes\n  language: 'english!'\n"
        "Other:\n  homepage: javascript:alert(1)\n",
    )
    project.write("content/items/a.md", item())
    result = project.build()
    out = output_of(result)
    assert result.returncode != 0
    text = " ".join(out.split())  # whatever the console wrapped
    assert "3 problem(s) in content" in text
    assert "content/sources.yml line 2 [Example Wire.paywall]: 'sometimes'" in text
    assert "line 3 [Example Wire.language]: 'english!' is not a language tag" in text
    assert "line 5 [Other.homepage]: 'javascript:alert(1)' is not an absolute" in text
    assert not project.output.exists()


def test_a_changed_paywall_reaches_pages_an_incremental_build_reuses(make_project):
    project = make_project()
    project.write("content/sources.yml", "Example Wire:\n  paywall: none\n")
    project.write("content/items/a.md", item(slug="story"))
    assert project.build().returncode == 0
    assert "paywall" not in project.page("2022/01/story/index.html")

    project.write("content/sources.yml", "Example Wire:\n  paywall: hard\n")
    result = project.build()
    assert result.returncode == 0, output_of(result)
    assert "(paywall: subscription required)" in project.page(
        "2022/01/story/index.html"
    )
    assert "behind a paywall" in project.page("sources/example-wire/index.html")

"""JSON Feed 1.1 as a general feed format ("json" in DIGEST_FEEDS["formats"])."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from newsdigest.feeds.jsonfeed import JsonFeed
from newsdigest.sitecheck import check_site
from tests.helpers import item


def test_json_feed_document_from_feedgenerator_calls() -> None:
    feed = JsonFeed(
        title="Digest: all stories",
        link="https://d.example/",
        description="Every story.",
        language="en",
        feed_url="https://d.example/feeds/all.json",
        author_name="Digest",
        author_link="https://d.example/",
    )
    when = dt.datetime(2022, 1, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    feed.add_item(
        title="A </script> title",
        link="https://d.example/2022/01/a/",
        description="Summary",
        content="<p>Body</p>",
        unique_id="tag:d.example,2026:item:1",
        pubdate=when,
        updateddate=when,
        categories=["World", "NATO"],
        author_name="Example Wire",
        external_url="https://example.com/a",
        image="https://d.example/images/a.svg",
        summary="Summary",
    )
    out = io.StringIO()
    feed.write(out, "utf-8")
    doc = json.loads(out.getvalue())
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == "https://d.example/feeds/all.json"
    assert doc["authors"] == [{"name": "Digest", "url": "https://d.example/"}]
    assert doc["items"] == [
        {
            "id": "tag:d.example,2026:item:1",
            "url": "https://d.example/2022/01/a/",
            "title": "A </script> title",
            "external_url": "https://example.com/a",
            "content_html": "<p>Body</p>",
            "summary": "Summary",
            "image": "https://d.example/images/a.svg",
            "date_published": "2022-01-02T09:00:00+01:00",
            "date_modified": "2022-01-02T09:00:00+01:00",
            "authors": [{"name": "Example Wire"}],
            "tags": ["World", "NATO"],
        }
    ]


@pytest.mark.slow
def test_json_format_adds_a_json_twin_to_every_feed(make_project) -> None:
    project = make_project()
    project.write("content/items/a.md", item(title="Alpha", tags=["NATO"]))
    project.write(
        "with_json.py",
        "from pelicanconf import *\n"
        "DIGEST_FEEDS = {**DIGEST_FEEDS, 'formats': ['atom', 'rss', 'json']}\n",
    )
    result = project.build("with_json.py")
    assert result.returncode == 0, result.stdout + result.stderr
    for path in ("feeds/all.json", "feeds/topics/world.json", "feeds/tags/nato.json"):
        doc = json.loads(project.page(path))
        assert doc["items"][0]["external_url"] == "https://example.com/story"
    home = project.page("index.html")
    assert (
        '<link rel="alternate" type="application/feed+json" href="./feeds/all.json"'
        in home
    )
    assert check_site(project.output, checks=["feeds"]).problems == []

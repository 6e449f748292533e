"""Sitemaps, the news sitemap, robots.txt and DIGEST_DISCOVERY settings
(newsdigest.plugins.discovery), without a build.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from newsdigest.plugins.discovery import (
    SitemapEntry,
    discovery_settings,
    news_items,
    news_sitemap_xml,
    robots_txt,
    sitemap_files,
    sitemap_xml,
)
from newsdigest.problems import DigestError
from tests.helpers import BASE, day, fake_item

UTC = dt.UTC
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


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


def test_a_site_over_50000_addresses_gets_a_sitemap_index():
    entries = [
        SitemapEntry(f"2022/01/{n:05d}/", day(1 + n % 28)) for n in range(50_001)
    ]
    files = dict(sitemap_files(entries, BASE))
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{SM}sitemapindex"
    assert [s.findtext(f"{SM}loc") for s in index] == [
        BASE + "sitemap-1.xml",
        BASE + "sitemap-2.xml",
    ]
    assert [s.findtext(f"{SM}lastmod") for s in index] == [
        "2022-01-28T12:00:00+00:00",
        "2022-01-21T12:00:00+00:00",
    ]
    first, second = (ET.fromstring(files[f"sitemap-{n}.xml"]) for n in (1, 2))
    assert (len(first), len(second)) == (50_000, 1)
    assert second[0].findtext(f"{SM}loc") == BASE + "2022/01/50000/"
    assert [name for name, _ in sitemap_files(entries[:3], BASE)] == ["sitemap.xml"]
    assert len(sitemap_files(entries[:50_000], BASE)) == 1


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
    "base",
    [
        "https://a.example/\nSitemap: http://evil.example/s.xml\n",
        "https://a.example/\r\nDisallow: /\r",
        "https://a.example/ Allow: /x\u2028Sitemap: http://evil.example/",
    ],
)
def test_robots_lines_cannot_be_injected_through_the_base_url(base):
    lines = robots_txt(base, ["sitemap.xml"]).splitlines()
    assert lines[:3] == ["User-agent: *", "Disallow: /drafts/", ""]
    (sitemap,) = lines[3:]
    assert sitemap.startswith("Sitemap: https://a.example/")
    assert not re.search(r"\s", sitemap.removeprefix("Sitemap: "))


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

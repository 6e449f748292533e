"""Built-site feed checks: the W3C Feed Validation Service's rules, offline.

A good Atom and a good RSS feed (shaped like Pelican's) give no problems; each
broken variant gives exactly one Problem naming the file, line and rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdigest.sitecheck import check_site
from newsdigest.sitecheck.feeds import json_feed_problems
from tests.helpers import only_problem, write_tree

SITE_URL = "https://digest.example.org"
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>Post</title></head>
<body><main><h1>Post</h1><p id="more">More</p></main></body></html>
"""
GOOD_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>Newsdigest</title>
<link href="https://digest.example.org/" rel="alternate"/>
<link href="https://digest.example.org/feeds/all.atom.xml" rel="self"/>
<id>https://digest.example.org/</id>
<updated>2024-05-02T08:00:00+02:00</updated>
<author><name>The Desk</name></author>
<entry>
<title>First story</title>
<link href="https://digest.example.org/posts/first/" rel="alternate"/>
<published>2024-05-01T08:00:00Z</published>
<updated>2024-05-01T09:30:00.5Z</updated>
<id>tag:digest.example.org,2024-05-01:/posts/first/</id>
<summary type="html">&lt;p&gt;Read \
&lt;a href="https://digest.example.org/posts/first/#more"&gt;more&lt;/a&gt;\
&lt;img src="https://digest.example.org/images/a.png" alt=""&gt;&lt;/p&gt;</summary>
</entry>
<entry>
<title>Second story</title>
<link href="https://digest.example.org/posts/second/"/>
<updated>2024-05-02T08:00:00+02:00</updated>
<id>tag:desk@example.org,2024:second</id>
<content type="html">&lt;p&gt;Plain &amp;amp; simple&lt;/p&gt;</content>
</entry>
</feed>
"""
GOOD_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Newsdigest</title>
<link>https://digest.example.org/</link>
<description>Daily news, curated.</description>
<atom:link href="https://digest.example.org/feeds/all.rss.xml" rel="self"/>
<lastBuildDate>Thu, 02 May 2024 08:00:00 +0200</lastBuildDate>
<item>
<title>First story</title>
<link>https://digest.example.org/posts/first/</link>
<description>&lt;p&gt;Read &lt;a href="https://digest.example.org/posts/first/"&gt;it&lt;/a&gt;&lt;/p&gt;</description>
<pubDate>Wed, 01 May 2024 08:00:00 GMT</pubDate>
<guid isPermaLink="false">tag:digest.example.org,2024-05-01:/posts/first/</guid>
</item>
<item>
<description>A story without a title.</description>
<link>https://digest.example.org/posts/second/</link>
<pubDate>2 May 2024 08:00 +0000</pubDate>
<guid>https://digest.example.org/posts/second/</guid>
</item>
</channel>
</rss>
"""


def build(root: Path, files: dict[str, str]) -> Path:
    site = {
        "index.html": PAGE,
        "posts/first/index.html": PAGE,
        "posts/second/index.html": PAGE,
        "images/a.png": "",
        "sitemap.xml": '<?xml version="1.0"?><urlset><url/></urlset>',
        **files,
    }
    return write_tree(root, site)


def test_good_feeds_have_no_problems(tmp_path: Path) -> None:
    files = {"feeds/all.atom.xml": GOOD_ATOM, "feeds/all.rss.xml": GOOD_RSS}
    report = check_site(build(tmp_path, files), site_url=SITE_URL)
    assert report.problems == [], report.format_text()


FIRST_ID = "<id>tag:digest.example.org,2024-05-01:/posts/first/</id>"
BROKEN_ATOM = [
    # (what is wrong, replace this, by that, line, field, message part)
    (
        "relative link",
        'href="https://digest.example.org/posts/first/" rel',
        'href="/posts/first/" rel',
        11,
        "link[href]",
        "link href '/posts/first/' is not an absolute URL",
    ),
    ("missing entry id", FIRST_ID, "", 9, "id", "<entry> has no <id>"),
    (
        "missing feed updated",
        "<updated>2024-05-02T08:00:00+02:00</updated>\n<author>",
        "<author>",
        2,
        "updated",
        "<feed> has no <updated>",
    ),
    (
        "bad date",
        "2024-05-01T08:00:00Z",
        "2024-05-01 08:00:00",
        12,
        "published",
        "is not an RFC 3339 date-time",
    ),
    (
        "impossible date",
        "2024-05-01T08:00:00Z",
        "2024-02-30T08:00:00Z",
        12,
        "published",
        "is not a real date-time",
    ),
    (
        "duplicate ids",
        "<id>tag:desk@example.org,2024:second</id>",
        FIRST_ID,
        21,
        "id",
        "is also used on line 14",
    ),
    (
        "id not a tag URI",
        FIRST_ID,
        "<id>/posts/first/</id>",
        14,
        "id",
        "is not a tag: URI or absolute URL",
    ),
    (
        "malformed tag URI",
        FIRST_ID,
        "<id>tag:digest.example.org:first</id>",
        14,
        "id",
        "is not a tag: URI",
    ),
    (
        "script in content",
        "Plain &amp;amp; simple",
        "&lt;script&gt;x()&lt;/script&gt;",
        22,
        "content",
        "HTML contains a <script> element",
    ),
    (
        "event handler in content",
        "&lt;p&gt;Plain",
        '&lt;p onmouseover="x()"&gt;Plain',
        22,
        "content",
        "has an event handler onmouseover=",
    ),
    (
        "javascript in content",
        'href="https://digest.example.org/posts/first/#more"',
        'href="javascript:x()"',
        15,
        "summary",
        "javascript: URL in a[href]",
    ),
    (
        "relative src in content",
        'src="https://digest.example.org/images/a.png"',
        'src="/images/a.png"',
        15,
        "summary",
        "relative URL img[src]='/images/a.png'",
    ),
    (
        "no self link",
        '<link href="https://digest.example.org/feeds/all.atom.xml" rel="self"/>',
        "",
        2,
        "link[rel=self]",
        'feed has no <link rel="self">',
    ),
    (
        "no author",
        "<author><name>The Desk</name></author>\n<entry>",
        "<entry>\n<author><name>The Desk</name></author>",
        17,
        "author",
        "entry has no <author> and the feed has none either",
    ),
    (
        "no alternate nor content",
        'rel="alternate"/>\n<published>',
        'rel="related"/>\n<published>',
        9,
        "entry",
        'neither <link rel="alternate"> nor <content>',
    ),
    (
        "not atom namespace",
        'xmlns="http://www.w3.org/2005/Atom"',
        'xmlns="urn:x"',
        2,
        "feed",
        "not in the Atom namespace",
    ),
    (
        "DTD",
        "<feed xmlns",
        '<!DOCTYPE feed [<!ENTITY x "y">]>\n<feed xmlns',
        2,
        "xml",
        "declares a DOCTYPE",
    ),
    (
        "not well-formed",
        "<title>First story</title>",
        "<title>First & story</title>",
        10,
        "xml",
        "is not well-formed XML",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [case[1:] for case in BROKEN_ATOM],
    ids=[case[0] for case in BROKEN_ATOM],
)
def test_broken_atom_gives_one_problem(
    tmp_path: Path, old: str, new: str, line: int, field: str, message: str
) -> None:
    assert old in GOOD_ATOM
    files = {"feeds/all.atom.xml": GOOD_ATOM.replace(old, new, 1)}
    problem = only_problem(check_site(build(tmp_path, files), site_url=SITE_URL))
    assert (problem.path, problem.check, problem.line, problem.field) == (
        "feeds/all.atom.xml",
        "feeds",
        line,
        field,
    )
    assert message in problem.message
    assert problem.is_error


BROKEN_RSS = [
    # (what is wrong, replace this, by that, line, field, message part)
    (
        "guid without isPermaLink=false",
        '<guid isPermaLink="false">',
        "<guid>",
        14,
        "guid",
        "is a permalink but not an absolute URL",
    ),
    (
        "duplicate guids",
        "<guid>https://digest.example.org/posts/second/</guid>",
        '<guid isPermaLink="false">tag:digest.example.org,2024-05-01:/posts/first/'
        "</guid>",
        20,
        "guid",
        "is also used on line 14",
    ),
    (
        "relative channel link",
        "<link>https://digest.example.org/</link>",
        "<link>/</link>",
        5,
        "link",
        "link '/' is not an absolute URL",
    ),
    (
        "two-digit year",
        "01 May 2024 08:00:00 GMT",
        "01 May 24 08:00:00 GMT",
        13,
        "pubDate",
        "is not an RFC 822 date with a 4-digit year",
    ),
    (
        "ISO date",
        "Wed, 01 May 2024 08:00:00 GMT",
        "2024-05-01T08:00:00Z",
        13,
        "pubDate",
        "is not an RFC 822 date",
    ),
    (
        "wrong weekday",
        "Thu, 02 May 2024",
        "Fri, 02 May 2024",
        8,
        "lastBuildDate",
        "has the wrong day of week (Thu)",
    ),
    (
        "missing description",
        "<description>Daily news, curated.</description>\n",
        "",
        3,
        "description",
        "<channel> has no <description>",
    ),
    (
        "item without title or description",
        "<description>A story without a title.</description>",
        "<category>x</category>",
        16,
        "item",
        "neither <title> nor <description>",
    ),
    (
        "script in description",
        "&lt;/a&gt;&lt;/p&gt;",
        "&lt;/a&gt;&lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;",
        12,
        "description",
        "HTML contains a <script> element",
    ),
    (
        "relative href in description",
        'href="https://digest.example.org/posts/first/"',
        'href="../posts/first/"',
        12,
        "description",
        "relative URL a[href]",
    ),
    (
        "version",
        'version="2.0"',
        'version="0.91"',
        2,
        "rss[version]",
        "rss version is '0.91', not '2.0'",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [case[1:] for case in BROKEN_RSS],
    ids=[case[0] for case in BROKEN_RSS],
)
def test_broken_rss_gives_one_problem(
    tmp_path: Path, old: str, new: str, line: int, field: str, message: str
) -> None:
    assert old in GOOD_RSS
    files = {"feeds/all.rss.xml": GOOD_RSS.replace(old, new, 1)}
    problem = only_problem(check_site(build(tmp_path, files), site_url=SITE_URL))
    assert (problem.path, problem.check, problem.line, problem.field) == (
        "feeds/all.rss.xml",
        "feeds",
        line,
        field,
    )
    assert message in problem.message
    assert problem.is_error


WARNINGS = [
    (
        "feeds/all.rss.xml",
        GOOD_RSS,
        '<atom:link href="https://digest.example.org/feeds/all.rss.xml" rel="self"/>',
        "",
        3,
        "atom:link[rel=self]",
        'channel has no <atom:link rel="self">',
    ),
    (
        "feeds/all.rss.xml",
        GOOD_RSS,
        "<title>First story</title>",
        "<title>First &lt;em&gt;story&lt;/em&gt;</title>",
        10,
        "title",
        "title contains markup",
    ),
    (
        "feeds/all.atom.xml",
        GOOD_ATOM,
        'href="https://digest.example.org/posts/first/#more"',
        'href="#fn1"',
        15,
        "summary",
        "relative URL a[href]='#fn1'",
    ),
]


@pytest.mark.parametrize(
    ("path", "good", "old", "new", "line", "field", "message"),
    WARNINGS,
    ids=["no self link", "markup in title", "fragment-only link in content"],
)
def test_feed_warnings(
    tmp_path: Path,
    path: str,
    good: str,
    old: str,
    new: str,
    line: int,
    field: str,
    message: str,
) -> None:
    assert old in good
    files = {path: good.replace(old, new, 1)}
    problem = only_problem(check_site(build(tmp_path, files), site_url=SITE_URL))
    assert (problem.path, problem.line, problem.field) == (path, line, field)
    assert problem.severity == "warning"
    assert message in problem.message


def test_feed_links_must_lead_to_pages(tmp_path: Path) -> None:
    feed = GOOD_RSS.replace("/posts/second/</link>", "/posts/third/</link>")
    report = check_site(build(tmp_path, {"feeds/all.rss.xml": feed}), site_url=SITE_URL)
    problem = only_problem(report)
    assert (problem.path, problem.check, problem.line, problem.field) == (
        "feeds/all.rss.xml",
        "links",
        18,
        "link",
    )
    assert "posts/third/, which is not in the built site" in problem.message


def test_feed_links_to_localhost_are_errors(tmp_path: Path) -> None:
    feed = GOOD_ATOM.replace(SITE_URL + "/posts/second/", "http://localhost:8000/x")
    report = check_site(
        build(tmp_path, {"feeds/all.atom.xml": feed}), site_url=SITE_URL
    )
    problem = only_problem(report)
    assert (problem.check, problem.line, problem.field) == ("links", 19, "link[href]")
    assert "points to localhost" in problem.message


def test_xml_that_is_not_a_feed_is_ignored(tmp_path: Path) -> None:
    files = {"broken-sitemap.xml": "<urlset><url></urlset>"}
    assert check_site(build(tmp_path, files), checks=["feeds"]).problems == []


def test_feed_in_an_unsupported_encoding_is_reported(tmp_path: Path) -> None:
    feed = GOOD_RSS.replace('encoding="utf-8"', 'encoding="gb2312"')
    report = check_site(build(tmp_path, {"feeds/all.rss.xml": feed}), checks=["feeds"])
    problem = only_problem(report)
    assert (problem.path, problem.field) == ("feeds/all.rss.xml", "xml")
    assert "multi-byte encodings are not supported" in problem.message


def test_json_feed_check_catches_relative_links_and_duplicate_ids(tmp_path) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "x",
        "items": [
            {"id": "tag:a.example,2026:1", "url": "/a/", "content_html": "<p>a</p>"},
            {
                "id": "tag:a.example,2026:1",
                "url": "https://a.example/b/",
                "content_html": '<a href="/rel">x</a><script>1</script>',
                "date_published": "yesterday",
            },
        ],
    }
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "x.json").write_text(json.dumps(feed))
    problems = json_feed_problems("feeds/x.json", json.dumps(feed).encode())
    fields = sorted(p.field for p in problems if p.is_error)
    assert fields == [
        "items[0].url",
        "items[1].content_html",
        "items[1].content_html",
        "items[1].date_published",
        "items[1].id",
    ]

"""Injection through the settings and ``content/topics.yml`` into what the build
writes for machines: sitemaps, robots.txt, OPML, Atom, RSS, JSON Feed and the
edition email. A value is either refused at the door (naming the file, line and
field) or written as the same text everywhere, through a serializer: every
output is parsed with a strict parser and no injected element, line, key or
header may appear."""

from __future__ import annotations

import email
import email.policy
import html
import json
import re

import pytest
from lxml import etree

from tests.helpers import html_dangers, item, output_of, parse_html

# Accepted: plain text with every character that breaks a hand-made XML, JSON,
# robots.txt or header line when not escaped (markup and line breaks are refused).
SITENAME = 'Tom & "Jerry\'s" ]]> a < b --> {"k": 1}, \\ Sitemap: x'
TOPIC_NAME = 'W & "q" ]]> a < b --> \\u0000'
TOPIC_TEXT = '{"k": "v"} ]]> Disallow: / a < b & c'
TOPICS = f"""\
world:
  name: {json.dumps(TOPIC_NAME)}
  description: {json.dumps(TOPIC_TEXT)}
  order: 1
"""
FEED_KEYS = {
    "version",
    "title",
    "home_page_url",
    "feed_url",
    "description",
    "language",
    "authors",
    "items",
}
ROBOTS_LINE = re.compile(
    r"^(User-agent: \*|Disallow: /drafts/|Sitemap: https?://\S+|)$"
)
EMAIL_HEADERS = {
    "subject",
    "from",
    "reply-to",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "list-id",
    "list-archive",
    "x-newsdigest-view",
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from tests.helpers import copy_project

    project = copy_project(tmp_path_factory.mktemp("hostile"), False)
    project.write("content/topics.yml", TOPICS)
    for n in range(2):
        project.write(
            f"content/items/s{n}.md",
            item(
                title=f"Story {n}",
                slug=f"s{n}",
                date="2022-01-31T10:00:00+00:00",  # in the news sitemap
                tags=["Tom & Jerry ]]>"],
                source_url=f"https://example.com/{n}",
            ),
        )
    result = project.build(
        SITENAME=SITENAME,
        DIGEST_CONTENT={
            "id_authority": "digest.example.org,2026",
            "site_description": SITENAME,
        },
        # No email_from: the edition is sent as SITENAME <editions@host>.
        DIGEST_EDITIONS={
            "period": "weekly",
            "feed_formats": ["atom", "rss", "json"],
            "unsubscribe_url": "mailto:editions@example.org?subject=unsubscribe",
        },
    )
    assert result.returncode == 0, output_of(result)
    return project


def texts(tree: etree._Element) -> list[str]:
    """Every text and attribute value of an XML document."""
    found = []
    for element in tree.iter():
        found += [element.text or "", element.tail or "", *element.attrib.values()]
    return found


def files(project, *suffixes: str):
    for path in sorted(project.output.resolve().rglob("*")):
        if path.is_file() and path.name.endswith(suffixes):
            yield path.relative_to(project.output.resolve()).as_posix(), path


@pytest.mark.slow
def test_xml_outputs_parse_strictly_and_carry_the_text_verbatim(hostile_site):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    seen = set()
    for name, path in files(hostile_site, ".xml", ".opml"):
        tree = etree.fromstring(path.read_bytes(), parser)  # raises on bad XML
        names = {etree.QName(e).localname for e in tree.iter(etree.Element)}
        assert not names & {"script", "evil", "title2", "x"}, name
        for text in texts(tree):
            if name.endswith(".rss.xml"):  # descriptions are escaped HTML there
                text = html.unescape(text)
            if "Jerry" in text and "Tom & Jerry ]]>" not in text:
                assert SITENAME in text or text in SITENAME, (name, text)
                seen.add(name)
            if "W & " in text:
                assert TOPIC_NAME in text, (name, text)
        if name.endswith(".rss.xml"):
            for description in tree.iter("description"):
                tree_of = parse_html(description.text or "")
                assert html_dangers(tree_of, name) == []
                injected = {e.tag for e in tree_of.iter() if isinstance(e.tag, str)}
                assert not injected & {"title", "script", "evil", "x"}, name
    assert {"feeds/all.atom.xml", "feeds/all.rss.xml", "feeds.opml"} <= seen
    assert "news-sitemap.xml" in seen or "sitemap.xml" in seen


@pytest.mark.slow
def test_json_feeds_have_only_their_own_keys(hostile_site):
    feeds = list(files(hostile_site, ".json"))
    assert feeds, "the editions feed is written as JSON Feed"
    for name, path in feeds:
        if name.startswith("pagefind/"):
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        assert set(document) <= FEED_KEYS, name
        assert SITENAME in document["title"], name
        for entry in document["items"]:
            assert "k" not in entry


@pytest.mark.slow
def test_robots_txt_has_only_its_own_lines(hostile_site):
    lines = hostile_site.page("robots.txt").split("\n")
    assert all(ROBOTS_LINE.match(line) for line in lines), lines
    assert "evil" not in hostile_site.page("robots.txt")


@pytest.mark.slow
def test_edition_emails_have_only_their_own_headers(hostile_site):
    emails = list(files(hostile_site, ".eml"))
    assert emails
    for name, path in emails:
        message = email.message_from_bytes(
            path.read_bytes(), policy=email.policy.strict
        )
        assert {key.lower() for key in message} <= EMAIL_HEADERS, name
        assert str(message["Subject"]).startswith(SITENAME), name
        assert message["From"].addresses[0].display_name == SITENAME, name


@pytest.mark.slow
@pytest.mark.parametrize(
    ("topics", "field", "words"),
    [
        (
            'world:\n  name: "W</title><script>alert(1)</script>"\n'
            "  description: Stories.\n  order: 1\n",
            "world.name",
            "contains markup",
        ),
        (
            "world:\n  name: World\n  description: |\n    Stories.\n"
            "    Sitemap: http://evil.example/s.xml\n  order: 1\n",
            "world.description",
            "line break",
        ),
        (
            'world:\n  name: "W <!-- x"\n  description: Stories.\n  order: 1\n',
            "world.name",
            "contains markup",
        ),
    ],
)
def test_hostile_topics_are_refused_naming_file_line_and_field(
    make_project, topics, field, words
):
    project = make_project()
    project.write("content/topics.yml", topics)
    project.write("content/items/a.md", item(slug="a"))
    result = project.build()
    out = output_of(result)
    assert result.returncode != 0
    assert "content/topics.yml" in out
    assert f"line 1 [{field}]: " in out and words in out
    assert "Traceback" not in out
    assert not project.output.exists()


def unsafe_outputs(project) -> list[str]:
    """What is wrong in any machine-read output: XML that a strict parser
    refuses or with injected elements, RSS descriptions that run something,
    JSON that does not parse, robots.txt lines of its own, extra email headers."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    found = []
    for name, path in files(project, ".xml", ".opml"):
        try:
            tree = etree.fromstring(path.read_bytes(), parser)
        except etree.XMLSyntaxError as error:
            found.append(f"{name}: {error}")
            continue
        names = {etree.QName(e).localname for e in tree.iter(etree.Element)}
        found += [f"{name}: <{n}>" for n in names & {"script", "evil"}]
        for description in tree.iter("description") if ".rss." in name else ():
            found += html_dangers(parse_html(description.text or ""), name)
    for name, path in files(project, ".json"):
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            found.append(f"{name}: {error}")
    robots = project.output / "robots.txt"
    lines = robots.read_text().split("\n") if robots.is_file() else []
    found += [f"robots.txt: {line!r}" for line in lines if not ROBOTS_LINE.match(line)]
    for name, path in files(project, ".eml"):
        message = email.message_from_bytes(
            path.read_bytes(), policy=email.policy.strict
        )
        found += [
            f"{name}: {key}" for key in message if key.lower() not in EMAIL_HEADERS
        ]
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "overrides", "topics", "field"),
    [
        ("pelicanconf.py", {"SITENAME": "A\x0bB"}, None, "SITENAME"),
        ("pelicanconf.py", {"SITENAME": "A\nBcc: x@example.org"}, None, "SITENAME"),
        (
            "pelicanconf.py",
            {"SITENAME": "A<script>alert(1)</script>"},
            None,
            "SITENAME",
        ),
        (
            "pelicanconf.py",
            {"DIGEST_FEEDS": {"base_url": "http://127.0.0.1:8000/\nSitemap: http://e"}},
            None,
            'DIGEST_FEEDS["base_url"]',
        ),
        (
            "content/topics.yml",
            {},
            'world:\n  name: "W\\vX"\n  description: D.\n  order: 1\n',
            "world.name",
        ),
        (
            "content/topics.yml",
            {},
            'world:\n  name: "W</title><evil/>"\n  description: D.\n  order: 1\n',
            "world.name",
        ),
    ],
)
def test_a_hostile_value_is_refused_by_name_or_written_safely(
    make_project, where, overrides, topics, field
):
    project = make_project()
    if topics:
        project.write("content/topics.yml", topics)
    project.write("content/items/a.md", item(slug="a", date="2022-01-31"))
    result = project.build(**overrides)
    out = output_of(result)
    assert "Traceback" not in out
    if result.returncode == 0:
        assert unsafe_outputs(project) == []
    else:
        assert f"  {where}\n" in out and f"[{field}]: " in out, out

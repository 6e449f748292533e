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
# No email_from: the edition is sent as SITENAME <editions@host>.
EDITIONS = {
    "period": "weekly",
    "feed_formats": ["atom", "rss", "json"],
    "unsubscribe_url": "mailto:editions@example.org?subject=unsubscribe",
}
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


def files(project, *suffixes: str):
    for path in sorted(project.output.resolve().rglob("*")):
        if path.is_file() and path.name.endswith(suffixes):
            yield path.relative_to(project.output.resolve()).as_posix(), path


def texts(tree: etree._Element) -> list[str]:
    """Every text and attribute value of an XML document."""
    found = []
    for element in tree.iter():
        found += [element.text or "", element.tail or "", *element.attrib.values()]
    return found


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
        for text in texts(tree):
            if ".rss." in name:  # descriptions are escaped HTML there
                text = html.unescape(text)
            if "Jerry" in text and SITENAME not in text:
                found.append(f"{name}: the site's name became {text!r}")
        for description in tree.iter("description") if ".rss." in name else ():
            found += html_dangers(parse_html(description.text or ""), name)
    for name, path in files(project, ".json"):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            found.append(f"{name}: {error}")
            continue
        if name.startswith("feeds/"):
            found += [f"{name}: key {key!r}" for key in set(document) - FEED_KEYS]
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
        # Accepted: written through serializers, the same text everywhere.
        ("", {"SITENAME": SITENAME, "DIGEST_EDITIONS": EDITIONS}, TOPICS, None),
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
    if result.returncode == 0 or field is None:
        assert result.returncode == 0, out
        assert unsafe_outputs(project) == []
    else:
        assert f"  {where}\n" in out and f"[{field}]: " in out, out

"""Atom and RSS feeds must pass the W3C Feed Validation Service's rules.

Feed readers are far less forgiving than browsers: a relative link, a reused
entry id or a malformed date makes readers drop entries, show them twice or
link nowhere. The W3C validator is an online service, so its rules that matter
for a digest are re-implemented here and run offline on every build.

Each feed is parsed once, strictly (expat, no DTD), and the rules run over that
tree. The HTML of an entry is checked once per build however many feeds carry
it (an item appears in the "all" feed, its topic's and each tag's, twice each).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

from newsdigest.problems import ERROR, WARNING, Problem
from newsdigest.sitecheck.site import DANGEROUS_SCHEMES, url_scheme
from newsdigest.sitecheck.xmltree import XMLError, XNode
from newsdigest.urls import is_absolute_http_url

log = logging.getLogger(__name__)

CHECK = "feeds"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_RFC822 = re.compile(
    rf"^(?:({'|'.join(_DAYS)}), )?\d{{1,2}} (?:{_MONTHS}) \d{{4}} "
    r"\d{2}:\d{2}(?::\d{2})? (?:UT|GMT|[ECMP][SD]T|[A-IK-Z]|[+-]\d{4})$"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_TAG_URI = re.compile(
    rf"^tag:(?:{_LABEL}(?:\.{_LABEL})*|[A-Za-z0-9._%+-]+@{_LABEL}(?:\.{_LABEL})*),"
    r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?:[^\s]*$"
)
_MARKUP = re.compile(r"<[a-zA-Z/!]")
_EVENT_HANDLER = re.compile(r"^on[a-z]+$")
_EMBEDDED_URL_ATTRS = frozenset({"href", "src", "poster", "cite", "action"})


def is_absolute_url(url: str) -> bool:
    return is_absolute_http_url(url.strip())


def is_feed_id(value: str) -> bool:
    """An Atom id digest feeds may use: an RFC 4151 tag: URI or http(s) URL."""
    return bool(_TAG_URI.match(value)) or is_absolute_url(value)


def rfc3339_error(value: str) -> str | None:
    if not _RFC3339.match(value):
        return "is not an RFC 3339 date-time (like 2024-05-01T08:00:00Z)"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return "is not a real date-time"
    return None


def rfc822_error(value: str) -> str | None:
    match = _RFC822.match(value)
    if not match:
        return (
            "is not an RFC 822 date with a 4-digit year "
            "(like Wed, 01 May 2024 08:00:00 +0000)"
        )
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return "is not a real date"
    if match.group(1) and _DAYS[parsed.weekday()] != match.group(1):
        return f"has the wrong day of week ({_DAYS[parsed.weekday()]})"
    return None


class _EmbeddedHTML(HTMLParser):
    """Finds what a feed reader would choke on in escaped HTML content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[tuple[str, str]] = []  # (severity, message)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.findings.append((ERROR, "contains a <script> element"))
        for name, value in attrs:
            value = value or ""
            if _EVENT_HANDLER.match(name):
                self.findings.append((ERROR, f"has an event handler {name}="))
            elif name in _EMBEDDED_URL_ATTRS:
                self._url(tag, name, value)

    def _url(self, tag: str, name: str, url: str) -> None:
        scheme = url_scheme(url)
        if scheme in DANGEROUS_SCHEMES:
            self.findings.append((ERROR, f"has a {scheme}: URL in {tag}[{name}]"))
        elif not scheme and not url.strip().startswith("//"):
            severity = WARNING if url.strip().startswith("#") else ERROR
            self.findings.append(
                (severity, f"has a relative URL {tag}[{name}]={url!r}")
            )


#: Findings of the embedded-HTML rules, by the HTML they were found in.
HTMLFindings = dict[str, list[tuple[str, str]]]


def embedded_html_findings(html: str, cache: HTMLFindings) -> list[tuple[str, str]]:
    """(severity, message) for what a feed reader would choke on in ``html``."""
    findings = cache.get(html)
    if findings is None:
        parser = _EmbeddedHTML()
        parser.feed(html)
        parser.close()
        findings = cache[html] = parser.findings
    return findings


class _FeedChecker:
    """Collects the problems of one parsed feed file."""

    def __init__(self, path: str, html_cache: HTMLFindings) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.html_cache = html_cache

    def add(
        self, node: XNode, field: str, message: str, fix: str, severity: str = ERROR
    ) -> None:
        self.problems.append(
            Problem(self.path, node.line, field, message, fix, severity, CHECK)
        )

    def required(self, parent: XNode, tag: str, field: str) -> XNode | None:
        child = parent.find(tag)
        if child is None:
            name = parent.tag.rpartition("}")[2]
            self.add(parent, field, f"<{name}> has no <{field}>", f"Add <{field}>.")
        return child

    def embedded_html(self, node: XNode, field: str) -> None:
        for severity, message in embedded_html_findings(node.text, self.html_cache):
            self.add(
                node,
                field,
                f"HTML {message}",
                "Make URLs absolute with SITEURL and remove scripts from content.",
                severity,
            )

    def title(self, node: XNode | None, field: str) -> None:
        if node is not None and (node.children or _MARKUP.search(node.text)):
            self.add(
                node,
                field,
                "title contains markup, which readers show as text",
                "Use plain text in titles.",
                WARNING,
            )

    def unique(self, seen: dict[str, int], node: XNode, field: str) -> None:
        value = node.itertext().strip()
        if value in seen:
            self.add(
                node,
                field,
                f"{field} {value!r} is also used on line {seen[value]}",
                "Give every entry its own id so readers do not drop it.",
            )
        else:
            seen[value] = node.line

    # Atom (RFC 4287) -------------------------------------------------------

    def atom(self, feed: XNode) -> None:
        self.atom_common(feed)
        links = feed.find_all(f"{ATOM}link")
        selfs = [link for link in links if link.attrs.get("rel") == "self"]
        if not selfs:
            self.add(
                feed,
                "link[rel=self]",
                'feed has no <link rel="self">',
                "Add the feed's own absolute URL as a self link.",
            )
        has_author = feed.find(f"{ATOM}author") is not None
        seen: dict[str, int] = {}
        for entry in feed.find_all(f"{ATOM}entry"):
            entry_id = self.atom_common(entry)
            if entry_id is not None:
                self.unique(seen, entry_id, "id")
            entry_links = entry.find_all(f"{ATOM}link")
            alternate = any(
                link.attrs.get("rel", "alternate") == "alternate"
                for link in entry_links
            )
            if not alternate and entry.find(f"{ATOM}content") is None:
                self.add(
                    entry,
                    "entry",
                    'entry has neither <link rel="alternate"> nor <content>',
                    "Link each entry to its page.",
                )
            source = entry.find(f"{ATOM}source")
            if (
                not has_author
                and entry.find(f"{ATOM}author") is None
                and (source is None or source.find(f"{ATOM}author") is None)
            ):
                self.add(
                    entry,
                    "author",
                    "entry has no <author> and the feed has none either",
                    "Set AUTHOR (feed author) or an author on every article.",
                )

    def atom_common(self, node: XNode) -> XNode | None:
        """Rules shared by ``feed`` and ``entry``; returns the id element."""
        node_id = self.required(node, f"{ATOM}id", "id")
        if node_id is not None and not is_feed_id(node_id.text.strip()):
            self.add(
                node_id,
                "id",
                f"id {node_id.text.strip()!r} is not a tag: URI or absolute URL",
                "Use tag:host,YYYY-MM-DD:/path or the entry's absolute URL.",
            )
        self.title(self.required(node, f"{ATOM}title", "title"), "title")
        self.required(node, f"{ATOM}updated", "updated")
        for name in ("updated", "published"):
            for date in node.find_all(f"{ATOM}{name}"):
                error = rfc3339_error(date.text.strip())
                if error:
                    self.add(
                        date,
                        name,
                        f"{name} {date.text.strip()!r} {error}",
                        "Use an RFC 3339 date-time with a timezone.",
                    )
        for link in node.find_all(f"{ATOM}link"):
            href = link.attrs.get("href")
            if href is None:
                self.add(link, "link[href]", "link has no href", "Add an href.")
            elif not is_absolute_url(href):
                self.add(
                    link,
                    "link[href]",
                    f"link href {href!r} is not an absolute URL",
                    "Set SITEURL and FEED_DOMAIN so feed links are absolute.",
                )
        for author in node.find_all(f"{ATOM}author"):
            self.required(author, f"{ATOM}name", "name")
        for name in ("content", "summary"):
            for text in node.find_all(f"{ATOM}{name}"):
                if text.attrs.get("type") == "html":
                    self.embedded_html(text, name)
        return node_id

    # RSS 2.0 ---------------------------------------------------------------

    def rss(self, rss: XNode) -> None:
        if rss.attrs.get("version") != "2.0":
            self.add(
                rss,
                "rss[version]",
                f"rss version is {rss.attrs.get('version')!r}, not '2.0'",
                'Use <rss version="2.0">.',
            )
        channel = self.required(rss, "channel", "channel")
        if channel is None:
            return
        self.title(self.required(channel, "title", "title"), "title")
        link = self.required(channel, "link", "link")
        if link is not None:
            self.rss_link(link)
        description = self.required(channel, "description", "description")
        if description is not None:
            self.embedded_html(description, "description")
        self.rss_dates(channel)
        if not any(
            a.attrs.get("rel") == "self" for a in channel.find_all(f"{ATOM}link")
        ):
            self.add(
                channel,
                "atom:link[rel=self]",
                'channel has no <atom:link rel="self">',
                "Add the feed's own URL as an atom:link with rel=self.",
                WARNING,
            )
        seen: dict[str, int] = {}
        for item in channel.find_all("item"):
            self.rss_item(item, seen)

    def rss_item(self, item: XNode, seen: dict[str, int]) -> None:
        if item.find("title") is None and item.find("description") is None:
            self.add(
                item,
                "item",
                "item has neither <title> nor <description>",
                "Give every item a title.",
            )
        self.title(item.find("title"), "title")
        for tag, field in (
            ("description", "description"),
            (CONTENT_ENCODED, "content:encoded"),
        ):
            for text in item.find_all(tag):
                self.embedded_html(text, field)
        for link in item.find_all("link"):
            self.rss_link(link)
        self.rss_dates(item)
        guid = item.find("guid")
        if guid is None:
            return
        value = guid.text.strip()
        permalink = guid.attrs.get("isPermaLink", "true")
        if permalink == "true" and not is_absolute_url(value):
            self.add(
                guid,
                "guid",
                f"guid {value!r} is a permalink but not an absolute URL",
                'Add isPermaLink="false" or use the item\'s absolute URL.',
            )
        elif permalink not in ("true", "false"):
            self.add(
                guid,
                "guid[isPermaLink]",
                f"isPermaLink is {permalink!r}, not 'true' or 'false'",
                'Use isPermaLink="false".',
            )
        self.unique(seen, guid, "guid")

    def rss_link(self, link: XNode) -> None:
        if not is_absolute_url(link.text):
            self.add(
                link,
                "link",
                f"link {link.text.strip()!r} is not an absolute URL",
                "Set SITEURL and FEED_DOMAIN so feed links are absolute.",
            )

    def rss_dates(self, node: XNode) -> None:
        for name in ("pubDate", "lastBuildDate"):
            for date in node.find_all(name):
                error = rfc822_error(date.text.strip())
                if error:
                    self.add(
                        date,
                        name,
                        f"{name} {date.text.strip()!r} {error}",
                        "Use an RFC 822 date such as Wed, 01 May 2024 08:00:00 +0000.",
                    )


def _looks_like_feed(path: str, data: bytes) -> bool:
    name = path.lower()
    head = data[:2048]
    return (
        name.endswith((".atom.xml", ".rss.xml")) or b"<feed" in head or b"<rss" in head
    )


def feed_problems(
    path: str,
    data: bytes,
    root: XNode | XMLError,
    html_cache: HTMLFindings | None = None,
) -> list[Problem]:
    """Problems of the ``.xml`` file ``path`` (its bytes and their parse);
    [] when it is not a feed (e.g. a sitemap)."""
    if isinstance(root, XMLError):
        if not _looks_like_feed(path, data):
            return []
        return [
            Problem(
                path,
                root.line,
                "xml",
                f"feed {root.message}",
                "Fix the feed template or the escaping of the content.",
                ERROR,
                CHECK,
            )
        ]
    checker = _FeedChecker(path, {} if html_cache is None else html_cache)
    if root.tag == f"{ATOM}feed":
        checker.atom(root)
    elif root.tag == "rss":
        checker.rss(root)
    elif root.tag.rpartition("}")[2] == "feed":
        checker.add(
            root,
            "feed",
            "root <feed> is not in the Atom namespace",
            'Add xmlns="http://www.w3.org/2005/Atom".',
        )
    return checker.problems


JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def json_feed_problems(path: str, data: bytes) -> list[Problem]:
    """The JSON file ``path`` (its bytes) as a JSON Feed 1.1, by the rules the XML
    feeds follow: required fields, absolute URLs, unique ids, RFC 3339 dates, safe
    embedded HTML. [] when it is no JSON Feed (a search index, say)."""

    def problem(field: str, message: str, fix: str, severity: str = ERROR) -> None:
        problems.append(Problem(path, None, field, message, fix, severity, CHECK))

    problems: list[Problem] = []
    try:
        doc = json.loads(data)
    except ValueError as error:
        problem("json", f"feed is not valid JSON: {error}", "Write it with json.dump.")
        return problems
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/"
    ):
        return problems
    if doc.get("version") != JSON_FEED_VERSION:
        problem(
            "version",
            "is not a JSON Feed 1.1",
            f'Set "version": "{JSON_FEED_VERSION}".',
        )
        return problems
    if not isinstance(doc.get("title"), str) or not doc["title"].strip():
        problem("title", "feed has no title", "Give the feed a title.")
    for key in ("home_page_url", "feed_url"):
        if key in doc and not is_absolute_url(str(doc[key])):
            problem(key, f"{key} {doc[key]!r} is not an absolute URL", "Set SITEURL.")
    items = doc.get("items")
    if not isinstance(items, list):
        problem("items", "feed has no items list", 'Add "items": [].')
        return problems
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(item, dict):
            problem(where, "item is not an object", "Write items as objects.")
            continue
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            problem(f"{where}.id", "item has no id", "Give every item a stable id.")
        elif item_id in seen:
            problem(f"{where}.id", f"id {item_id!r} is used twice", "Use unique ids.")
        else:
            seen.add(item_id)
            if not is_feed_id(item_id):
                problem(
                    f"{where}.id",
                    f"id {item_id!r} is not a tag: URI or absolute URL",
                    "Use the item's tag: id.",
                    WARNING,
                )
        for key in ("url", "external_url", "image"):
            if key in item and not is_absolute_url(str(item[key])):
                problem(
                    f"{where}.{key}",
                    f"{key} {item[key]!r} is not an absolute URL",
                    "Set SITEURL so feed links are absolute.",
                )
        if "content_html" not in item and "content_text" not in item:
            problem(where, "item has no content_html or content_text", "Add content.")
        for key in ("date_published", "date_modified"):
            if key in item:
                date_error = rfc3339_error(str(item[key]))
                if date_error:
                    problem(
                        f"{where}.{key}",
                        f"{key} {item[key]!r} {date_error}",
                        "Use an RFC 3339 date-time with a timezone.",
                    )
        if isinstance(item.get("content_html"), str):
            parser = _EmbeddedHTML()
            parser.feed(item["content_html"])
            parser.close()
            for severity, message in parser.findings:
                problem(
                    f"{where}.content_html",
                    f"HTML {message}",
                    "Make URLs absolute with SITEURL and remove scripts from content.",
                    severity,
                )
    return problems

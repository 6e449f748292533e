"""Sitemaps and robots.txt must be what search engines accept.

A sitemap that lists a missing page, a relative URL or a malformed ``lastmod``
is ignored in part or whole by crawlers, silently. These rules follow
sitemaps.org (absolute ``loc`` under the site, W3C Datetime ``lastmod``, at
most 50,000 URLs) and Google News (publication name and language, a
publication date and a title per item), and check that every ``Sitemap:`` line
of robots.txt names a sitemap the site has.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from newsdigest.problems import ERROR, Problem
from newsdigest.sitecheck.site import Kind, Site
from newsdigest.sitecheck.xmltree import XMLError, XNode, parse_xml
from newsdigest.urls import is_absolute_http_url

log = logging.getLogger(__name__)

CHECK = "sitemaps"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
MAX_URLS = 50_000
#: W3C Datetime: a date, or a date-time with minutes and an offset.
W3C = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$"
)


def w3c_error(value: str) -> str | None:
    if not W3C.match(value):
        return "is not a W3C Datetime"
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        if len(value) > 7:
            return "is not a real date"
    return None


class _Checker:
    def __init__(self, site: Site, path: str) -> None:
        self.site = site
        self.path = path
        self.problems: list[Problem] = []

    def add(self, line: int | None, field: str, message: str, fix: str) -> None:
        self.problems.append(
            Problem(self.path, line, field, message, fix, ERROR, CHECK)
        )

    def url(self, url_node: XNode) -> None:
        loc = url_node.find(f"{SITEMAP}loc")
        if loc is None or not loc.text.strip():
            self.add(
                url_node.line,
                "loc",
                "<url> has no <loc>",
                "Give every URL its address.",
            )
            return
        address = loc.text.strip()
        target = self.site.resolve(address, self.path)
        if not is_absolute_http_url(address):
            self.add(loc.line, "loc", f"{address!r} is not absolute", "Use SITEURL.")
        elif target.kind is not Kind.INTERNAL:
            self.add(
                loc.line,
                "loc",
                f"{address!r} is not a page of this site",
                "List only the site's own pages, under SITEURL.",
            )
        elif self.site.lookup(target.path) is None:
            self.add(
                loc.line,
                "loc",
                f"{address!r} is listed but not in the site",
                "List only pages that were written.",
            )
        lastmod = url_node.find(f"{SITEMAP}lastmod")
        if lastmod is not None:
            error = w3c_error(lastmod.text.strip())
            if error:
                self.add(
                    lastmod.line,
                    "lastmod",
                    f"{lastmod.text.strip()!r} {error}",
                    "Write it like 2022-01-05T10:00:00+00:00.",
                )
        news = url_node.find(f"{NEWS}news")
        if news is not None:
            self.news(news)

    def news(self, news: XNode) -> None:
        publication = news.find(f"{NEWS}publication")
        for parent, tag in (
            (publication, "name"),
            (publication, "language"),
            (news, "publication_date"),
            (news, "title"),
        ):
            node = parent.find(f"{NEWS}{tag}") if parent is not None else None
            if node is None or not node.text.strip():
                self.add(
                    news.line,
                    f"news:{tag}",
                    f"news entry has no <news:{tag}>",
                    "Google News needs the publication's name and language, "
                    "and each item's publication date and title.",
                )
            elif tag == "publication_date" and w3c_error(node.text.strip()):
                self.add(
                    node.line,
                    "news:publication_date",
                    f"{node.text.strip()!r} is not a W3C Datetime",
                    "Write it like 2022-01-05T10:00:00+00:00.",
                )

    def urlset(self, root: XNode) -> None:
        urls = root.find_all(f"{SITEMAP}url")
        if len(urls) > MAX_URLS:
            self.add(
                root.line,
                "urlset",
                f"{len(urls)} URLs; a sitemap may list {MAX_URLS}",
                "Split it into several sitemaps with a sitemap index.",
            )
        for url_node in urls:
            self.url(url_node)


def _read_text(site: Site, path: str) -> str:
    return site.read_bytes(path).decode("utf-8", errors="replace")


def check_sitemap(site: Site, path: str) -> list[Problem]:
    """Problems of one ``.xml`` file; [] when it is not a sitemap."""
    data = site.read_bytes(path)
    if b"urlset" not in data:  # a feed: not parsed a second time
        return []
    try:
        root: XNode | XMLError = parse_xml(data)
    except XMLError as error:
        root = error
    if isinstance(root, XMLError):
        if b"<urlset" not in data[:2048]:
            return []
        return [
            Problem(
                path,
                root.line,
                "xml",
                f"sitemap {root.message}",
                "Fix it.",
                ERROR,
                CHECK,
            )
        ]
    if root.tag != f"{SITEMAP}urlset":
        return []
    checker = _Checker(site, path)
    checker.urlset(root)
    return checker.problems


def check_robots(site: Site) -> list[Problem]:
    if "robots.txt" not in site.files:
        return []
    problems = []
    for number, line in enumerate(_read_text(site, "robots.txt").splitlines(), start=1):
        name, _, value = line.partition(":")
        if name.strip().lower() != "sitemap":
            continue
        address = value.strip()
        target = site.resolve(address, "robots.txt")
        if target.kind is not Kind.INTERNAL or site.lookup(target.path) is None:
            problems.append(
                Problem(
                    "robots.txt",
                    number,
                    "Sitemap",
                    f"{address!r} is not a sitemap of this site",
                    "Point it at the site's own sitemap.xml, under SITEURL.",
                    ERROR,
                    CHECK,
                )
            )
    return problems


def check_sitemaps(site: Site) -> list[Problem]:
    """sitemaps.org and Google News rules for every sitemap, and robots.txt."""
    problems = [p for path in site.xml_paths for p in check_sitemap(site, path)]
    problems += check_robots(site)
    log.debug("sitemaps: %d problems", len(problems))
    return problems

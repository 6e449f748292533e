"""Internal links must lead somewhere, and no URL may be unsafe in production.

A digest is published as static files: a link to a page that was renamed, to the
curator's ``localhost`` preview or to a ``javascript:`` URL is a broken or unsafe
page for every reader, so each one is an error found before publishing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from newsdigest.problems import ERROR, Problem
from newsdigest.sitecheck.site import Element, Kind, Site, Target, srcset_urls
from newsdigest.sitecheck.xmltree import XNode

log = logging.getLogger(__name__)

CHECK = "links"
ATOM = "{http://www.w3.org/2005/Atom}"
#: ``link[rel]`` values that load a resource; the assets check owns those.
ASSET_RELS = frozenset(
    {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}
)
#: Attributes holding one URL, on any element.
URL_ATTRS = ("href", "src", "poster", "action", "formaction", "cite", "xlink:href")

_FIXES = {
    Kind.DANGEROUS: "Remove the URL; the digest must not run or embed code via URLs.",
    Kind.LOCAL: "Use a relative URL or the production URL (SITEURL), not a local one.",
    Kind.BAD_SCHEME: "Use an http(s), mailto: or tel: URL.",
    Kind.OUTSIDE: "Point the link at a page inside the built site.",
}


def is_asset_link(element: Element) -> bool:
    return element.tag == "link" and bool(element.tokens("rel") & ASSET_RELS)


def hyperlink_url(element: Element) -> str | None:
    """The URL ``element`` navigates to (``a``, ``area``, non-asset ``link``)."""
    if element.tag in ("a", "area") or (
        element.tag == "link" and not is_asset_link(element)
    ):
        return element.get("href")
    return None


def url_attributes(element: Element) -> Iterator[tuple[str, str]]:
    """Every (attribute, URL) pair of ``element``, ``srcset`` candidates included."""
    for name in URL_ATTRS:
        if name in element.attrs:
            yield name, element.attrs[name]
    if "srcset" in element.attrs:
        for url in srcset_urls(element.attrs["srcset"]):
            yield "srcset", url


def unsafe_problem(
    target: Target, path: str, line: int | None, field: str, check: str
) -> Problem | None:
    """A Problem for a dangerous, local, non-web or out-of-site URL, else None."""
    if target.kind not in _FIXES:
        return None
    return Problem(
        path=path,
        line=line,
        field=field,
        message=f"URL {target.url!r} {target.reason}",
        fix=_FIXES[target.kind],
        severity=ERROR,
        check=check,
    )


def missing_problem(
    target: Target, path: str, line: int | None, field: str, check: str
) -> Problem:
    return Problem(
        path=path,
        line=line,
        field=field,
        message=f"link {target.url!r} leads to {target.path or '/'}, "
        "which is not in the built site",
        fix="Correct the URL or make sure the target page is generated.",
        severity=ERROR,
        check=check,
    )


def feed_links(root: XNode) -> Iterator[tuple[XNode, str, str]]:
    """(node, field, URL) for every link of an Atom or RSS feed."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag == f"{ATOM}link" and "href" in node.attrs:
            yield node, "link[href]", node.attrs["href"]
        elif node.tag == "link" and not node.children:
            yield node, "link", node.text.strip()
        stack.extend(reversed(node.children))


def _check_page(site: Site, path: str) -> Iterator[Problem]:
    for element in site.page(path).elements:
        for name, url in url_attributes(element):
            target = site.resolve(url, path)
            field = f"{element.tag}[{name}]"
            problem = unsafe_problem(target, path, element.line, field, CHECK)
            if problem:
                yield problem
        url = hyperlink_url(element)
        if url is None:
            continue
        target = site.resolve(url, path)
        if target.kind is Kind.INTERNAL and site.lookup(target.path) is None:
            yield missing_problem(
                target, path, element.line, f"{element.tag}[href]", CHECK
            )


def _check_feed(site: Site, path: str, root: XNode) -> Iterator[Problem]:
    for node, field, url in feed_links(root):
        target = site.resolve(url, path)
        problem = unsafe_problem(target, path, node.line, field, CHECK)
        if problem:
            yield problem
        elif target.kind is Kind.INTERNAL and site.lookup(target.path) is None:
            yield missing_problem(target, path, node.line, field, CHECK)


def check_links(site: Site) -> list[Problem]:
    """Broken internal links and unsafe URLs in HTML pages and feeds."""
    problems: list[Problem] = []
    for path in site.html_paths:
        problems.extend(_check_page(site, path))
    for path in site.xml_paths:
        root = site.xml(path)
        if isinstance(root, XNode) and root.tag in (f"{ATOM}feed", "rss"):
            problems.extend(_check_feed(site, path, root))
    log.debug("links: %d problems", len(problems))
    return problems

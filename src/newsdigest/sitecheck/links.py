"""Internal links must lead somewhere, and no URL may be unsafe in production.

A digest is published as static files: a link to a page that was renamed, to the
curator's ``localhost`` preview or to a ``javascript:`` URL is a broken or unsafe
page for every reader, so each one is an error found before publishing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from newsdigest.problems import ERROR, Problem
from newsdigest.sitecheck.page import Element
from newsdigest.sitecheck.site import (
    FEED_LINK,
    LINK,
    UNSAFE,
    Kind,
    Ref,
    Site,
    Target,
    srcset_urls,
)
from newsdigest.sitecheck.xmltree import XNode

log = logging.getLogger(__name__)

CHECK = "links"
ATOM = "{http://www.w3.org/2005/Atom}"
#: ``link[rel]`` values that load a resource; the assets check owns those.
ASSET_RELS = frozenset(
    {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}
)
#: Attributes holding one URL, on any element.
URL_ATTRS = (
    "href",
    "src",
    "poster",
    "action",
    "formaction",
    "cite",
    "xlink:href",
    "data",
    "background",
)

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


def link_refs(element: Element) -> Iterator[Ref]:
    """Every URL of ``element`` (to be safe) and its hyperlink (to lead somewhere)."""
    for name, url in url_attributes(element):
        yield Ref(element.line, f"{element.tag}[{name}]", url, UNSAFE)
    href = hyperlink_url(element)
    if href is not None:
        yield Ref(element.line, f"{element.tag}[href]", href, LINK)


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


def feed_refs(root: XNode) -> list[Ref]:
    """The links of an Atom or RSS feed, each to be safe and to lead somewhere."""
    if root.tag not in (f"{ATOM}feed", "rss"):
        return []
    return [
        Ref(node.line, field, url, FEED_LINK) for node, field, url in feed_links(root)
    ]


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


def link_problem(site: Site, path: str, ref: Ref, target: Target) -> Problem | None:
    """The links check for one reference of the file ``path``."""
    if ref.role == UNSAFE:
        return unsafe_problem(target, path, ref.line, ref.field, CHECK)
    if ref.role == FEED_LINK:
        problem = unsafe_problem(target, path, ref.line, ref.field, CHECK)
        if problem:
            return problem
    if target.kind is Kind.INTERNAL and site.lookup(target.path) is None:
        return missing_problem(target, path, ref.line, ref.field, CHECK)
    return None

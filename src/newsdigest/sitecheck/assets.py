"""Every image, stylesheet, script, icon and font the site loads must exist.

A missing stylesheet or hero image is not visible in a link report but is the
first thing a reader notices. Only internal references are checked; unsafe URLs
are reported once, by the links check.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from newsdigest.problems import ERROR, Problem
from newsdigest.sitecheck.links import is_asset_link
from newsdigest.sitecheck.site import Element, Kind, Site, srcset_urls, url_scheme

log = logging.getLogger(__name__)

CHECK = "assets"
#: ``meta`` elements whose content is an image URL (Open Graph, Twitter cards).
IMAGE_META = frozenset({"og:image", "og:image:url", "twitter:image"})
_MEDIA = frozenset({"img", "script", "video", "audio", "source", "track", "embed"})
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(
    r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)"""
    r"""|@import\s+(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)


def element_assets(element: Element) -> Iterator[tuple[str, str]]:
    """(field, URL) of every resource ``element`` loads."""
    attrs = element.attrs
    if element.tag in _MEDIA and "src" in attrs:
        yield f"{element.tag}[src]", attrs["src"]
    if element.tag in ("img", "source") and "srcset" in attrs:
        for url in srcset_urls(attrs["srcset"]):
            yield f"{element.tag}[srcset]", url
    if element.tag == "video" and "poster" in attrs:
        yield "video[poster]", attrs["poster"]
    if is_asset_link(element) and "href" in attrs:
        yield "link[href]", attrs["href"]
    if element.tag == "meta" and "content" in attrs:
        kind = (attrs.get("property") or attrs.get("name") or "").lower()
        if kind in IMAGE_META:
            yield f"meta[{kind}]", attrs["content"]


def css_urls(css: str) -> Iterator[tuple[int, str]]:
    """(line, URL) of every ``url(...)`` and ``@import`` in a stylesheet."""
    css = _CSS_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), css)
    for match in _CSS_URL.finditer(css):
        url = next(g for g in match.groups() if g is not None)
        yield css.count("\n", 0, match.start()) + 1, url


def _missing(
    site: Site, path: str, line: int, field: str, url: str, base: str
) -> Problem | None:
    if url_scheme(url) == "data" and field == "url()":
        return None  # inline fonts and icons in CSS are fine
    target = site.resolve(url, base)
    if target.kind is not Kind.INTERNAL or target.path == base:
        return None  # external, unsafe (links check) or ``url(#svg-filter)``
    if site.lookup(target.path) is not None:
        return None
    return Problem(
        path=path,
        line=line,
        field=field,
        message=f"{url!r} refers to {target.path}, which is not in the built site",
        fix="Add the file to the theme or content, or correct the reference.",
        severity=ERROR,
        check=CHECK,
    )


def check_assets(site: Site) -> list[Problem]:
    """Missing images, scripts, stylesheets, icons and CSS ``url()`` files."""
    problems: list[Problem] = []
    for path in site.html_paths:
        for element in site.page(path).elements:
            found = [
                _missing(site, path, element.line, field, url, path)
                for field, url in element_assets(element)
            ]
            css = element.text if element.tag == "style" else ""
            css += element.attrs.get("style", "")
            if "url(" in css.lower() or "@import" in css.lower():
                found += [
                    _missing(site, path, element.line + line - 1, "url()", url, path)
                    for line, url in css_urls(css)
                ]
            problems.extend(p for p in found if p)
    for path in site.css_paths:
        for line, url in css_urls(site.read_text(path)):
            problem = _missing(site, path, line, "url()", url, path)
            if problem:
                problems.append(problem)
    log.debug("assets: %d problems", len(problems))
    return problems

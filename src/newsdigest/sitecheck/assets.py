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
from newsdigest.sitecheck.page import Element
from newsdigest.sitecheck.site import (
    ASSET,
    CSS,
    SCRIPT,
    Kind,
    Ref,
    Site,
    Target,
    srcset_urls,
    url_scheme,
)

log = logging.getLogger(__name__)

CHECK = "assets"
#: ``meta`` elements whose content is an image URL (Open Graph, Twitter cards).
IMAGE_META = frozenset({"og:image", "og:image:url", "twitter:image"})
_MEDIA = frozenset({"img", "script", "video", "audio", "source", "track", "embed"})
#: Elements that can load a resource (besides any with a style attribute).
_MAY_LOAD = _MEDIA | {"link", "meta", "style"}
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


def asset_refs(element: Element) -> Iterator[Ref]:
    """The resources ``element`` loads, inline CSS ``url()`` included."""
    if element.tag not in _MAY_LOAD and "style" not in element.attrs:
        return
    for field, url in element_assets(element):
        code = field == "script[src]" or "stylesheet" in element.tokens("rel")
        yield Ref(element.line, field, url, SCRIPT if code else ASSET)
    css = element.text if element.tag == "style" else ""
    css += element.attrs.get("style", "")
    if "url(" in css.lower() or "@import" in css.lower():
        for line, url in css_urls(css):
            yield Ref(element.line + line - 1, "url()", url, CSS)


def stylesheet_refs(css: str) -> list[Ref]:
    """The files a stylesheet loads."""
    return [Ref(line, "url()", url, CSS) for line, url in css_urls(css)]


def asset_problem(site: Site, path: str, ref: Ref, target: Target) -> Problem | None:
    """The assets check for one reference of the file ``path``."""
    if ref.role == CSS and url_scheme(ref.url) == "data":
        return None  # inline fonts and icons in CSS are fine
    if ref.role == SCRIPT and target.kind is Kind.EXTERNAL:
        return Problem(
            path=path,
            line=ref.line,
            field=ref.field,
            message=f"loads the script or stylesheet {ref.url!r} from another site",
            fix="Load only the theme's own scripts and stylesheets, from this site.",
            severity=ERROR,
            check=CHECK,
        )
    if target.kind is not Kind.INTERNAL or target.path == path:
        return None  # external, unsafe (links check) or ``url(#svg-filter)``
    if site.lookup(target.path) is not None:
        return None
    return Problem(
        path=path,
        line=ref.line,
        field=ref.field,
        message=f"{ref.url!r} refers to {target.path}, which is not in the built site",
        fix="Add the file to the theme or content, or correct the reference.",
        severity=ERROR,
        check=CHECK,
    )

"""One HTML page reduced to what the site checks need, parsed once with lxml.

A build writes thousands of pages and every check used to re-read and re-parse
them; here each page is parsed once, from the rendered string while it is
written (or from disk for ``newsdigest check --site``), by libxml2, which is
fast and keeps line numbers. Only the elements a rule looks at are kept: those
carrying an id, a URL, an inline style, an event handler or ``target``, and the
few the page-structure rules count (``html``, ``title``, ``meta``, ``main``,
``h1``, ``img``, ``script``, ``style``, ``link``), every element that loads,
frames or submits something (``ACTIVE_TAGS``), and, inside the theme's
wrappers of curated HTML (class ``prose``), every element the sanitiser would
not have written. Each element knows its region (``<head>``, a body, neither).

libxml2 reports the markup repairs that matter most in templates (stray and
mismatched end tags); the full HTML5 parser (html5lib) is slower and runs only
when asked (``html5=True``): in ``newsdigest check`` and in the test suite.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from lxml import etree

from newsdigest.model.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

log = logging.getLogger(__name__)

if etree.LIBXML_VERSION < (2, 14):  # pragma: no cover - depends on the install
    # Older libxml2 knows HTML 4 entities only: "javascript&colon;x" would pass.
    raise ImportError(
        f"newsdigest's site checks need libxml2 2.14 or later, lxml uses "
        f"{'.'.join(map(str, etree.LIBXML_VERSION))}: pip install 'lxml>=6'"
    )

HTML_SUFFIXES = (".html", ".htm")
#: Elements that load or run something, or retarget the page: a rule looks at
#: each one wherever it is (libxml2 spells names in lower case).
ACTIVE_TAGS = (
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "portal",
    "form",
    "base",
    "use",
    "foreignobject",
    # SVG animation can set an href to javascript: after the page loaded.
    "animate",
    "animatemotion",
    "animatetransform",
    "set",
    "handler",
    "listener",
)
_FOREIGN = ("svg", "math")
_RAW_TEXT = frozenset({"title", "script", "style"})
#: Elements a rule looks at even without interesting attributes.
_COUNTED = frozenset(
    {"html", "title", "meta", "main", "h1", "img", "script", "style", "link"}
) | frozenset(ACTIVE_TAGS)
#: Attributes that make any element interesting to some rule.
_NOTED_ATTRS = frozenset(
    {
        "id",
        "href",
        "src",
        "srcset",
        "poster",
        "action",
        "formaction",
        "cite",
        "xlink:href",
        "style",
        "target",
        "srcdoc",
        "data",
        "background",
    }
)
#: The class of the theme's wrapper around curated HTML (an item's, a page's
#: body, an edition's introduction): the only markup the theme inserts unescaped.
BODY_REGION_CLASS = "prose"
#: ``Element.region`` of an element inside ``<head>`` / inside a body region.
HEAD, BODY = "head", "body"
#: Before the first element: a BOM, spaces and comments, then maybe a doctype.
_DOCTYPE = re.compile(r"\ufeff?(?:\s|<!--.*?-->)*<!(doctype[^>]*)>", re.I | re.S)
_HTML_TAG = re.compile(r"<html[\s>/]", re.I)
#: libxml2 complaints the page rules already report in their own words.
_COVERED_ERRORS = frozenset({"DTD_ID_REDEFINED"})
#: libxml2 stopped parsing: the rest of the page was not seen.
GAVE_UP = "ERR_RESOURCE_LIMIT"


@dataclass(slots=True)
class Element:
    """One start tag: attributes (first occurrence wins, as in browsers)."""

    tag: str
    attrs: dict[str, str]
    line: int
    foreign: bool = False
    text: str = ""
    #: HEAD, BODY (inside the theme's curated-HTML wrapper) or ""
    region: str = ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def tokens(self, name: str) -> set[str]:
        """Space-separated, case-insensitive attribute tokens such as ``rel``."""
        return set((self.attrs.get(name) or "").lower().split())


@dataclass
class Page:
    """What the checks need to know about one HTML file."""

    path: str
    #: the elements some rule looks at, in document order
    elements: list[Element] = field(default_factory=list)
    doctype: str | None = None
    utf8: bool = True
    #: id (and ``a[name]``) -> lines where it is defined
    ids: dict[str, list[int]] = field(default_factory=dict)
    #: (line, error code, readable message) of each markup repair
    parse_errors: list[tuple[int, str, str]] = field(default_factory=list)
    #: False when the parser gave up part-way (nesting deeper than 2,048)
    complete: bool = True
    #: bytes of the page as UTF-8 (what a file of it holds)
    size: int = 0

    def find_all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and not e.foreign]


def html5lib_errors(text: str) -> list[tuple[int, str, str]]:
    """(line, code, readable message) for each error the HTML5 parser reports."""
    import html5lib  # slow to import, and builds do not need it
    from html5lib.constants import E as HTML5LIB_MESSAGES

    parser = html5lib.HTMLParser(strict=False)
    parser.parse(text)
    errors = []
    for (line, _column), code, datavars in parser.errors:
        template = HTML5LIB_MESSAGES.get(code, code.replace("-", " "))
        try:
            message = template % (datavars or {})
        except (KeyError, TypeError, ValueError):
            message = template
        errors.append((line, code, message))
    return errors


def _is_noted(tag: str, names: list[str]) -> bool:
    """Whether a rule looks at an element with these attribute ``names``."""
    for name in names:
        if name in _NOTED_ATTRS or name.startswith("on"):
            return True
    return tag == "a" and "name" in names


def _sanitiser_would_drop(tag: str, names: list[str]) -> bool:
    """Whether ``newsdigest.model.sanitize`` lets no such element through: every
    element of a body region is the sanitiser's output, so anything else there
    came from elsewhere (a tampered cache, a plugin)."""
    if tag not in ALLOWED_TAGS:
        return True
    allowed = ALLOWED_ATTRIBUTES.get(tag, set())
    return any(
        name not in allowed and not (tag == "a" and name == "rel") for name in names
    )


def _regions(root: etree._Element) -> dict[etree._Element, str]:
    """Each element inside ``<head>`` or a body region, with its region."""
    regions: dict[etree._Element, str] = {}
    for head in root.iter("head"):
        regions.update(dict.fromkeys(head.iterdescendants(etree.Element), HEAD))
    for node in root.iter(etree.Element):
        if BODY_REGION_CLASS in (node.get("class") or "").split():
            regions.update(dict.fromkeys(node.iterdescendants(etree.Element), BODY))
    return regions


def _foreign(node: etree._Element) -> bool:
    return next(node.iterancestors(*_FOREIGN), None) is not None


def decode(data: str | bytes) -> tuple[str, bool]:
    """The page's text and whether it was valid UTF-8."""
    if isinstance(data, str):
        return data, True
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), False


def scan_page(
    path: str,
    data: str | bytes,
    *,
    html5: bool = False,
    html5_errors: list[tuple[int, str, str]] | None = None,
) -> Page:
    """Index the HTML ``data`` of ``path``.

    Markup errors come from libxml2, or from html5lib with ``html5=True``
    (``html5_errors`` passes them in when they were computed elsewhere).
    """
    text, utf8 = decode(data)
    page = Page(path, utf8=utf8)
    match = _DOCTYPE.match(text)
    if match:
        page.doctype = match.group(1)
    parser = etree.HTMLParser(encoding="utf-8", remove_pis=True, huge_tree=True)
    encoded = data if isinstance(data, bytes) else text.encode("utf-8", "surrogatepass")
    page.size = len(encoded)
    try:
        root = etree.fromstring(
            encoded if utf8 else text.encode("utf-8", "surrogatepass"), parser
        )
    except etree.XMLSyntaxError as error:  # an empty document
        log.debug("%s: %s", path, error)
        root = None
    if root is not None:
        _collect(page, root, has_html_tag=_HTML_TAG.search(text) is not None)
    libxml2_errors = [
        (error.line, error.type_name, error.message.strip())
        for error in parser.error_log
        if error.type_name not in _COVERED_ERRORS
    ]
    gave_up = [error for error in libxml2_errors if error[1] == GAVE_UP]
    page.complete = not gave_up
    if html5:
        errors = html5lib_errors(text) if html5_errors is None else html5_errors
        page.parse_errors = errors + gave_up
    else:
        page.parse_errors = libxml2_errors
    return page


def _collect(page: Page, root: etree._Element, *, has_html_tag: bool) -> None:
    elements = page.elements
    ids = page.ids
    in_foreign = root.find(".//svg") is not None or root.find(".//math") is not None
    regions = _regions(root)
    for node in root.iter(etree.Element):
        tag = node.tag
        region = regions.get(node, "")
        if tag not in _COUNTED and not (
            region == BODY and _sanitiser_would_drop(tag, node.keys())
        ):
            names = node.keys()
            if not names or not _is_noted(tag, names):
                continue
        if tag == "html" and not has_html_tag:
            continue  # implied by the parser, not written in the page
        attrs = dict(node.items())
        line = node.sourceline or 0
        element = Element(tag, attrs, line, in_foreign and _foreign(node), "", region)
        if tag in _RAW_TEXT:
            element.text = node.text or ""
        elements.append(element)
        if "id" in attrs:
            ids.setdefault(attrs["id"], []).append(line)
        if tag == "a" and "name" in attrs:
            ids.setdefault(attrs["name"], []).append(line)

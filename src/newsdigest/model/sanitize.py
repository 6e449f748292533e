"""Markdown bodies rendered to HTML that is safe to publish.

Python-Markdown passes raw HTML through, so a body pasted from a hostile page can
carry ``<script>``, event handlers or ``javascript:`` links. Everything rendered
goes through nh3 (the Rust ammonia sanitiser) with an allowlist of the elements
an editorial text needs; nothing else survives, whatever the input.

Pelican rewrites ``{static}``-style link prefixes in the HTML it is handed, after
this module has run, and copies whatever file a ``{static}`` or ``{attach}`` link
names. So the sanitiser also decides which prefixes may reach Pelican: only
``{static}`` and ``{filename}`` with a plain relative path, in a link or image
address. Every other match of Pelican's link pattern, wherever it hides (a
``title`` attribute, a mangled tag), is neutralised, so the output stays safe
even when Pelican rewrites it and no site check runs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import markdown
import nh3

from newsdigest.urls import LINK_SCHEMES, is_mailto, is_safe_url

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "li": {"id"},  # footnote targets only, see _attribute_filter
    "sup": {"id"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
}
# Removed with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "noscript",
        "template",
        "svg",
        "math",
        "textarea",
        "select",
        "form",
        "button",
    }
)
MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty"]
# One Markdown converter per thread (a converter is not safe to share).
_CONVERTERS = threading.local()


# Python-Markdown's footnote ids; no other id may reach a page, where it could
# collide with the theme's own (the skip link's #main, for one).
FOOTNOTE_ID = re.compile(r"^fn(ref)?:[\w-]+$")
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})


# Pelican's default INTRASITE_LINK_REGEX: "{what}" or "|what|" before a path.
INTRASITE_LINK_REGEX = "[{|](?P<what>.*?)[|}]"
# The prefixes a body may use: a file under a static folder, another item or page.
SITE_LINK_KINDS = ("static", "filename")
_LINK_PREFIX = re.compile(r"^[{|](?P<what>[^|}]*)[|}](?P<target>.*)$", re.DOTALL)
# A plain relative path: no scheme, host, query, escapes or backslashes, so what
# the reader checks is exactly what Pelican resolves (Pelican also tries the
# percent- and entity-decoded path).
_PLAIN_TARGET = re.compile(r"^/?(?:[A-Za-z0-9_.\-]+/)*[A-Za-z0-9_.\-]+(?:#[\w:-]*)?$")
_SITE_LINK_PLACES = frozenset({("a", "href"), ("img", "src")})


@dataclass(frozen=True)
class SiteLink:
    """A ``{what}target`` address found in a body; ``kept`` if it reaches Pelican."""

    what: str
    target: str
    kept: bool

    @property
    def written(self) -> str:
        return f"{{{self.what}}}{self.target}"


def intrasite_pattern(link_regex: str = INTRASITE_LINK_REGEX) -> re.Pattern[str]:
    """The pattern ``pelican.contents.Content._update_content`` rewrites, verbatim."""
    return re.compile(
        rf"""
        (?P<markup><[^\>]+
            (?:href|src|poster|data|cite|formaction|action|content)\s*=\s*)
        (?P<quote>["\'])
        (?P<path>{link_regex}(?P<value>.*?))
        (?P=quote)""",
        re.X,
    )


def site_link(element: str, attribute: str, value: str) -> SiteLink | None:
    """The prefixed address in ``value``, if any, and whether it may stay."""
    match = _LINK_PREFIX.match(value.strip())
    if not match:
        return None
    what, target = match.group("what"), match.group("target")
    kept = (
        what in SITE_LINK_KINDS
        and (element, attribute) in _SITE_LINK_PLACES
        and bool(_PLAIN_TARGET.match(target))
        and not (what == "static" and "#" in target)
    )
    return SiteLink(what, target, kept)


def _attribute_filter(
    base_url: str | None, links: list[SiteLink] | None = None
) -> Callable[[str, str, str], str | None]:
    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return value if FOOTNOTE_ID.match(value) else None
        if attribute in URL_ATTRIBUTES:
            link = site_link(element, attribute, value)
            if link is not None:
                if links is not None:
                    links.append(link)
                return value.strip() if link.kept and not base_url else None
        if element == "a" and attribute == "href" and is_mailto(value):
            return value  # a contact address cannot run anything
        if attribute in URL_ATTRIBUTES:
            if not is_safe_url(value):
                return None
            if base_url:
                return urljoin(base_url, value)
        return value

    return keep


# nh3 adds rel to every <a>, also to one whose unsafe href it removed; rel
# without href is invalid HTML, so such anchors lose it again.
_ANCHOR = re.compile(r'<a\b((?:[^>"]|"[^"]*")*)>')


def _drop_rel_without_href(match: re.Match[str]) -> str:
    attributes = match.group(1)
    if " href=" in attributes:
        return match.group(0)
    return "<a" + attributes.replace(f' rel="{LINK_REL}"', "") + ">"


LINK_REL = "noopener noreferrer"


def sanitise_html(
    html: str,
    *,
    base_url: str | None = None,
    links: list[SiteLink] | None = None,
    link_regex: str = INTRASITE_LINK_REGEX,
) -> str:
    """Reduce HTML to the editorial allowlist; with ``base_url``, make every link
    and image address absolute (feeds must carry no relative URL, nor a prefix).

    ``links`` collects the ``{what}`` addresses met, kept or removed, so the
    caller can check the kept ones' files and report the others."""
    clean = _ANCHOR.sub(_drop_rel_without_href, _clean(html, base_url, links))
    allowed = (
        set()
        if base_url
        else {(link.what, link.target) for link in links or [] if link.kept}
    )
    return neutralise_prefixes(clean, allowed, intrasite_pattern(link_regex), links)


def neutralise_prefixes(
    html: str,
    allowed: set[tuple[str, str]],
    pattern: re.Pattern[str],
    links: list[SiteLink] | None = None,
) -> str:
    """Escape the first character of every match of Pelican's pattern that is not
    an allowed link, until none is left: browsers decode ``&#123;`` back to
    ``{``, Pelican's regular expression no longer sees a prefix."""

    def replace(match: re.Match[str]) -> str:
        what, value = match.group("what"), match.group("value")
        if (what, value) in allowed:
            return match.group(0)
        if links is not None:
            links.append(SiteLink(what, value, kept=False))
        path = match.group("path")
        quote = match.group("quote")
        return f"{match.group('markup')}{quote}&#{ord(path[0])};{path[1:]}{quote}"

    for _ in range(html.count("{") + html.count("|") + 1):
        fixed = pattern.sub(replace, html)
        if fixed == html:
            return html
        html = fixed
    return html  # pragma: no cover - every pass removes one prefix character


def _clean(html: str, base_url: str | None, links: list[SiteLink] | None) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter(base_url, links),
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(
    text: str,
    *,
    links: list[SiteLink] | None = None,
    link_regex: str = INTRASITE_LINK_REGEX,
) -> str:
    """Markdown to sanitised HTML, with the thread's one converter (building one
    costs a fifth of rendering a short item). ``reset()`` before each text keeps
    footnotes and abbreviations from leaking between items; a conversion that
    did not finish (interrupted by a time limit, too deep) drops the converter,
    whose state is then unknown."""
    md = getattr(_CONVERTERS, "md", None)
    if md is None:
        md = _CONVERTERS.md = markdown.Markdown(
            extensions=MARKDOWN_EXTENSIONS, output_format="html"
        )
    try:
        html = md.reset().convert(text)
    except BaseException:
        _CONVERTERS.md = None
        raise
    return sanitise_html(html, links=links, link_regex=link_regex)

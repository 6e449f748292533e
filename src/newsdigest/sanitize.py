"""Markdown bodies rendered to HTML that is safe to publish.

Python-Markdown passes raw HTML through, so a body pasted from a hostile page can
carry ``<script>``, event handlers or ``javascript:`` links. Everything rendered
goes through nh3 (the Rust ammonia sanitiser) with an allowlist of the elements
an editorial text needs; nothing else survives, whatever the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

import markdown
import nh3

from newsdigest.urls import CONTROL_CHARS, is_safe_url, scheme_of

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


# Python-Markdown's footnote ids; no other id may reach a page, where it could
# collide with the theme's own (the skip link's #main, for one).
FOOTNOTE_ID = re.compile(r"^fn(ref)?:[\w-]+$")
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})


def _attribute_filter(
    base_url: str | None,
) -> Callable[[str, str, str], str | None]:
    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return value if FOOTNOTE_ID.match(value) else None
        if element == "a" and attribute == "href" and _is_mailto(value):
            return value  # a contact address cannot run anything
        if attribute in URL_ATTRIBUTES:
            if not is_safe_url(value):
                return None
            if base_url:
                return urljoin(base_url, value)
        return value

    return keep


def _is_mailto(value: str) -> bool:
    return scheme_of(value) == "mailto" and not CONTROL_CHARS.search(value)


# nh3 adds rel to every <a>, also to one whose unsafe href it removed; rel
# without href is invalid HTML, so such anchors lose it again.
_ANCHOR = re.compile(r'<a\b((?:[^>"]|"[^"]*")*)>')


def _drop_rel_without_href(match: re.Match[str]) -> str:
    attributes = match.group(1)
    if " href=" in attributes:
        return match.group(0)
    return "<a" + attributes.replace(f' rel="{LINK_REL}"', "") + ">"


LINK_REL = "noopener noreferrer"


def sanitise_html(html: str, *, base_url: str | None = None) -> str:
    """Reduce HTML to the editorial allowlist; with ``base_url``, make every link
    and image address absolute (feeds must carry no relative URL)."""
    return _ANCHOR.sub(_drop_rel_without_href, _clean(html, base_url))


def _clean(html: str, base_url: str | None) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter(base_url),
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML. A new converter per call keeps state (footnotes,
    abbreviations) from leaking between items."""
    md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitise_html(md.convert(text))

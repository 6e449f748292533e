"""Markdown bodies rendered to HTML that is safe to publish.

Python-Markdown passes raw HTML through, so a body pasted from a hostile page can
carry ``<script>``, event handlers or ``javascript:`` links. Everything rendered
goes through nh3 (the Rust ammonia sanitiser) with an allowlist of the elements
an editorial text needs; nothing else survives, whatever the input.
"""

from __future__ import annotations

import markdown
import nh3

from newsdigest.urls import is_safe_url

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


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    """Drop URL attributes whose scheme is not http(s) or relative."""
    if attribute in {"href", "src", "cite"} and not is_safe_url(value):
        return None
    return value


def sanitise_html(html: str) -> str:
    """Reduce HTML to the editorial allowlist."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML. A new converter per call keeps state (footnotes,
    abbreviations) from leaking between items."""
    md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
    return sanitise_html(md.convert(text))

"""Every page must be valid, accessible HTML that runs no JavaScript.

Browsers repair broken markup silently and differently, so a stray ``</div>``
can reflow a digest on one reader's phone only. Every build reports the repairs
libxml2 makes while the page is parsed anyway (stray and mismatched end tags);
``newsdigest check`` and the test suite use html5lib, which implements the HTML
parsing standard and reports every repair it makes. The other rules are the
site's promises: one title, one main and one h1 per page, alt text on images,
a UTF-8 charset and a viewport, and no scripts (the digest needs none, and an
inline script or handler in curated content is the likeliest attack).
"""

from __future__ import annotations

import json
import logging
import re

from newsdigest.problems import ERROR, Problem
from newsdigest.sitecheck.page import Element, Page

log = logging.getLogger(__name__)

CHECK = "html"
#: html5lib doctype complaints; the doctype rule reports these more clearly.
_DOCTYPE_ERRORS = frozenset(
    {
        "expected-doctype-but-got-start-tag",
        "expected-doctype-but-got-chars",
        "expected-doctype-but-got-end-tag",
        "expected-doctype-but-got-eof",
        "unknown-doctype",
    }
)
_EVENT_HANDLER = re.compile(r"^on[a-z]+$")
JSON_LD = "application/ld+json"


class _PageChecker:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[Problem] = []

    def add(self, line: int | None, field: str, message: str, fix: str) -> None:
        self.problems.append(
            Problem(self.page.path, line, field, message, fix, ERROR, CHECK)
        )

    def run(self) -> list[Problem]:
        if not self.page.utf8:
            self.add(None, "encoding", "page is not valid UTF-8", "Save it as UTF-8.")
        for line, code, message in self.page.parse_errors:
            if code in _DOCTYPE_ERRORS:
                continue
            self.add(
                line, "parse", message, "Fix the markup in the template or content."
            )
        self.document()
        self.head()
        self.body()
        return self.problems

    def document(self) -> None:
        doctype = (self.page.doctype or "").strip().lower()
        if doctype != "doctype html":
            found = f"<!{self.page.doctype}>" if self.page.doctype else "none"
            self.add(
                1,
                "doctype",
                f"page does not start with <!DOCTYPE html> (found {found})",
                "Start the base template with <!DOCTYPE html>.",
            )
        html = self.page.find_all("html")
        if not html or not (html[0].get("lang") or "").strip():
            self.add(
                html[0].line if html else None,
                "html[lang]",
                "<html> has no lang attribute",
                'Add lang="…" (DEFAULT_LANG) to <html>.',
            )
        first: dict[str, int] = {}
        for element in self.page.elements:
            value = element.get("id")
            if value is None:
                continue
            if value in first:
                self.add(
                    element.line,
                    "id",
                    f"duplicate id {value!r} (first used on line {first[value]})",
                    "Make every id unique within the page.",
                )
            else:
                first[value] = element.line

    def head(self) -> None:
        titles = self.page.find_all("title")
        if len(titles) != 1:
            self.add(
                titles[1].line if titles else None,
                "title",
                f"page has {len(titles)} <title> elements, expected exactly one",
                "Keep one <title> in the base template's head.",
            )
        elif not titles[0].text.strip():
            self.add(titles[0].line, "title", "<title> is empty", "Give it a title.")
        metas = self.page.find_all("meta")
        if not any((m.get("charset") or "").strip().lower() == "utf-8" for m in metas):
            self.add(
                None,
                "meta[charset]",
                'page has no <meta charset="utf-8">',
                "Add it as the first element of <head>.",
            )
        if not any((m.get("name") or "").lower() == "viewport" for m in metas):
            self.add(
                None,
                "meta[name=viewport]",
                "page has no <meta name=viewport>",
                'Add <meta name="viewport" content="width=device-width, '
                'initial-scale=1">.',
            )

    def body(self) -> None:
        mains = [m for m in self.page.find_all("main") if "hidden" not in m.attrs]
        if len(mains) != 1:
            self.add(
                mains[1].line if mains else None,
                "main",
                f"page has {len(mains)} visible <main> elements, expected exactly one",
                "Wrap the page's own content in a single <main>.",
            )
        if not self.page.find_all("h1"):
            self.add(None, "h1", "page has no <h1>", "Give the page a heading.")
        for element in self.page.elements:
            self.element(element)

    def element(self, element: Element) -> None:
        for name in element.attrs:
            if _EVENT_HANDLER.match(name):
                self.add(
                    element.line,
                    f"{element.tag}[{name}]",
                    f"event handler attribute {name}= on <{element.tag}>",
                    "Remove it; the digest runs no JavaScript.",
                )
        if element.tag == "img" and "alt" not in element.attrs:
            self.add(
                element.line,
                "img[alt]",
                f"image {element.get('src', '')!r} has no alt attribute",
                'Describe the image in alt (alt="" if it is decorative).',
            )
        blank = (element.get("target") or "").lower() == "_blank"
        if element.tag == "a" and blank and "noopener" not in element.tokens("rel"):
            self.add(
                element.line,
                "a[rel]",
                'link with target="_blank" has no rel="noopener"',
                'Add rel="noopener" (or drop target="_blank").',
            )
        if element.tag == "script":
            self.script(element)

    def script(self, element: Element) -> None:
        code = element.text.strip()
        kind = (element.get("type") or "").strip().lower()
        if kind == JSON_LD:
            if "</" in code:
                self.add(
                    element.line,
                    "script[type=ld+json]",
                    "JSON-LD contains '</', which can end the script early",
                    "Escape '/' as '\\/' when serializing JSON-LD.",
                )
            try:
                json.loads(code)
            except ValueError as error:
                self.add(
                    element.line,
                    "script[type=ld+json]",
                    f"JSON-LD is not valid JSON: {error}",
                    "Serialize structured data with json.dumps.",
                )
        elif code:
            self.add(
                element.line,
                "script",
                "inline <script> code",
                "Remove it; the digest runs no JavaScript.",
            )


def page_problems(page: Page) -> list[Problem]:
    """Markup errors and page-structure rules for one parsed page."""
    return _PageChecker(page).run()

"""Every page must be valid, accessible HTML that runs no JavaScript.

Browsers repair broken markup silently and differently, so a stray ``</div>``
can reflow a digest on one reader's phone only. Every build reports the repairs
libxml2 makes while the page is parsed anyway (stray and mismatched end tags);
``newsdigest check`` and the test suite use html5lib, which implements the HTML
parsing standard and reports every repair it makes. The other rules are the
site's promises: one title, one main and one h1 per page, alt text on images,
a UTF-8 charset and a viewport, and no scripts (the digest needs none, and an
inline script or handler in curated content is the likeliest attack).

Markup that runs, loads, frames or submits something is refused wherever it is,
unless the theme writes it: its own scripts (read from its templates), JSON-LD,
its search form, the alias pages' refresh. Curated HTML (the theme's ``prose``
wrappers) may hold only what ``newsdigest.model.sanitize`` writes, whatever the theme
uses elsewhere: markup there that the sanitiser drops came from somewhere else
(a planted cache entry, a plugin), and this check is the layer that does not
depend on where.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from newsdigest import theme_path
from newsdigest.model.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from newsdigest.problems import ERROR, Problem
from newsdigest.sitecheck.page import ACTIVE_TAGS, BODY, HEAD, Element, Page
from newsdigest.urls import EMAIL_HTML, scheme_of

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
#: Schemes that run code or smuggle a document in: never in a page.
ACTIVE_SCHEMES = frozenset({"javascript", "data", "vbscript"})
#: Elements the theme writes in <head> only: elsewhere they came from content.
#: (A <style> in the body is the assets check's: its url()s must resolve.)
_HEAD_ONLY = frozenset({"link"})
#: Attributes reported wherever they are, not again as foreign to a body.
_REPORTED_ATTRIBUTES = frozenset({"style", "srcdoc"})
NO_SCRIPT_FIX = (
    "Remove it; the digest runs no JavaScript beyond the theme's own scripts."
)
# The theme's script tags, as its templates write them.
_TEMPLATE_SCRIPT = re.compile(
    r"""<script\b[^>]*\bsrc="\{\{\s*site_url\(SITEURL,\s*'([^']+)'\)\s*\}\}"""
)


@cache
def theme_scripts() -> frozenset[str]:
    """The site paths of the scripts the digest theme loads, read from its
    templates: the one list of them, so a page may load these and no other."""
    templates = Path(theme_path()) / "templates"
    return frozenset(
        match.group(1)
        for template in sorted(templates.rglob("*.html"))
        for match in _TEMPLATE_SCRIPT.finditer(template.read_text(encoding="utf-8"))
    )


def is_theme_script(src: str) -> bool:
    """Whether ``src`` (as written, SITEURL absolute or relative) names one of
    the theme's scripts. Where it points (inside the site, not another host)
    is the assets check's part, which knows SITEURL."""
    if scheme_of(src) not in (None, "http", "https"):
        return False
    try:
        path = posixpath.normpath(urlsplit(src.strip()).path)
    except ValueError:
        return False
    return any(
        path == script or path.endswith("/" + script) for script in theme_scripts()
    )


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
        self.active(element)
        if element.region == BODY:
            self.curated(element)
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

    def active(self, element: Element) -> None:
        """Markup that runs, loads or submits something, or retargets the
        page, anywhere on it: only what the theme itself writes may stay."""
        tag = element.tag
        inlined = posixpath.basename(self.page.path) == EMAIL_HTML
        if "style" in element.attrs and (element.region == BODY or not inlined):
            self.add(
                element.line,
                f"{tag}[style]",
                f"<{tag}> has a style attribute",
                "Style with the theme's stylesheet, not in the page.",
            )
        if "srcdoc" in element.attrs:
            self.add(
                element.line,
                f"{tag}[srcdoc]",
                f"<{tag}> embeds a document (srcdoc=)",
                "Remove it.",
            )
        if tag == "meta" and "http-equiv" in element.attrs:
            equiv = (element.get("http-equiv") or "").strip().lower()
            if equiv == "refresh" and element.region == HEAD:
                self.refresh(element)
            elif equiv == "content-security-policy" and element.region == HEAD:
                pass  # a policy only ever takes away (newsdigest.publishing.hosts)
            else:
                self.add(
                    element.line,
                    "meta[http-equiv]",
                    f"<meta http-equiv={element.get('http-equiv')!r}> outside the "
                    "head of a redirect page",
                    "Remove it; only the redirect pages of aliases refresh, and "
                    "only a Content-Security-Policy may be set in a page's head.",
                )
        if tag in _HEAD_ONLY and element.region != HEAD:
            self.add(
                element.line,
                tag,
                f"<{tag}> outside <head>",
                "Remove it; linked resources come from the theme's head only.",
            )
        if tag in ACTIVE_TAGS and not (
            self.theme_form(element) or self.local_use(element)
        ):
            self.add(
                element.line,
                tag,
                f"<{tag}> element",
                "Remove it; a digest page embeds, frames and submits nothing "
                "beyond the theme's search form.",
            )

    def theme_form(self, element: Element) -> bool:
        """The theme's search form: a GET form in the page's header, never
        inside curated HTML."""
        return (
            element.tag == "form"
            and element.region != BODY
            and element.get("role") == "search"
            and (element.get("method") or "get").lower() == "get"
        )

    def local_use(self, element: Element) -> bool:
        """An SVG ``<use>`` of a symbol in the same page (an icon sprite);
        one naming another document can bring in script or markup."""
        refs = [element.get(name) for name in ("href", "xlink:href")]
        return (
            element.tag == "use"
            and element.region != BODY
            and all(ref is None or ref.strip().startswith("#") for ref in refs)
        )

    def refresh(self, element: Element) -> None:
        content = element.get("content") or ""
        _, _, target = content.partition("=")
        if scheme_of(target.strip().strip("'\"")) in ACTIVE_SCHEMES:
            self.add(
                element.line,
                "meta[http-equiv]",
                "<meta http-equiv=refresh> sends readers to a "
                f"{scheme_of(target.strip())}: address",
                "Redirect to the item's own address.",
            )

    def curated(self, element: Element) -> None:
        """Inside a body region everything is the sanitiser's output, so an
        element or attribute the sanitiser drops means the HTML came from
        somewhere else (a tampered cache, a plugin)."""
        tag = element.tag
        if tag in ACTIVE_TAGS or tag in _HEAD_ONLY or tag == "script":
            return  # reported as such
        if tag not in ALLOWED_TAGS:
            self.add(
                element.line,
                f"body:{tag}",
                f"<{tag}> inside the body, which the sanitiser never writes",
                "Rebuild without the read cache (invoke clean) and remove what "
                "put it there; curated text allows only plain editorial markup.",
            )
            return
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        for name in element.attrs:
            if name in _REPORTED_ATTRIBUTES or _EVENT_HANDLER.match(name):
                continue  # reported as such
            if name not in allowed and not (tag == "a" and name == "rel"):
                self.add(
                    element.line,
                    f"body:{tag}[{name}]",
                    f"<{tag} {name}=…> inside the body, which the sanitiser "
                    "never writes",
                    "Rebuild without the read cache (invoke clean) and remove "
                    "what put it there.",
                )

    def script(self, element: Element) -> None:
        code = element.text.strip()
        kind = (element.get("type") or "").strip().lower()
        src = element.get("src")
        if element.region == BODY or (
            src is not None and (code or kind or not is_theme_script(src))
        ):
            self.add(
                element.line,
                "script",
                f"<script src={src!r}>" if src is not None else "<script>",
                NO_SCRIPT_FIX,
            )
            return
        if src is not None:
            return
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
        else:
            self.add(
                element.line,
                "script",
                "inline <script> code" if code else "empty <script> element",
                "Remove it; the digest runs no JavaScript.",
            )


def page_problems(page: Page) -> list[Problem]:
    """Markup errors and page-structure rules for one parsed page."""
    return _PageChecker(page).run()

"""Problems in an item's body, found in its rendered HTML and traced to a line.

The body is checked after Markdown and the sanitiser have run, on the HTML Pelican
will receive: what matters is what Pelican rewrites and copies, not how the
curator spelt it. Each problem is then traced back to its line in the Markdown,
so it is reported at the item (file:line), never at a built page.
"""

from __future__ import annotations

import html
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newsdigest.model.frontmatter import BODY_UNSAFE_CHARS, Document
from newsdigest.model.sanitize import (
    INTRASITE_LINK_REGEX,
    SITE_LINK_KINDS,
    SiteLink,
    render_markdown,
)
from newsdigest.model.schema import unsafe_reference
from newsdigest.model.staticfiles import link_problem
from newsdigest.problems import Problem, SourceFile
from newsdigest.urls import is_absolute_http_url, unreachable_host

_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)[^>]*>", re.IGNORECASE)
_ADDRESS = re.compile(r'\b(href|src)="((?:https?:)?//[^"]*)"', re.IGNORECASE)
_IMG_SRC = re.compile(r'<img\b[^>]*?\bsrc="([^"]*)"', re.IGNORECASE)
LINK_FIX = (
    "Link an image or file as {static}/images/<file> and another item or page as "
    "{filename}/items/<file>.md ('/' starts at content/, else at the item's "
    "folder); anything else by its full https:// address."
)


class BodyLines:
    """Finds the line of each thing found in a body's HTML back in its Markdown.
    Things are met in document order, so each is looked for after the last."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.cursor = 0

    def line(self, *needles: str) -> int:
        body = self.doc.body
        for start in (self.cursor, 0):
            for needle in filter(None, needles):
                index = body.find(needle, start)
                if index >= 0:
                    self.cursor = index + len(needle)
                    return self.doc.body_line + body.count("\n", 0, index)
        return self.doc.body_line


def body_character_problems(doc: Document) -> list[Problem]:
    """Characters feeds cannot carry, typed or written as references (``&#1;``),
    reported at their line rather than by the feed writer or a built page."""
    found = []
    raw = BODY_UNSAFE_CHARS.search(doc.body)
    if raw:
        found.append(
            (
                raw,
                f"contains the control character U+{ord(raw.group()):04X}, "
                "which feeds cannot carry.",
                "Retype the line; remove invisible characters.",
            )
        )
    reference = unsafe_reference(doc.body)
    if reference:
        found.append(
            (
                reference,
                f"contains '{reference.group()[:20]}', a character reference to an "
                "invisible or forbidden character, which feeds cannot carry.",
                "Remove it; write visible characters as themselves.",
            )
        )
    return [
        Problem(
            doc.path,
            doc.body_line + doc.body.count("\n", 0, match.start()),
            "body",
            message,
            fix,
        )
        for match, message, fix in found
    ]


def body_image_problems(doc: Document, body: str) -> list[Problem]:
    """A body image with a bare relative path is looked for next to the item's
    address (/2022/01/<slug>/...), never in content/: it would only surface as a
    broken image on a built page. Say so at the item."""
    problems = []
    lines = BodyLines(doc)
    for src in _IMG_SRC.findall(body):
        if src.startswith(("{static}", "|static|")) or is_absolute_http_url(src):
            continue
        problems.append(
            Problem(
                doc.path,
                lines.line(f"({src}", src),
                "body",
                f"shows the image '{src[:120]}': a bare path is looked for "
                "relative to the built page's address, not in content/.",
                "Write ![what it shows]({static}/images/<file>): a {static}/ path "
                "starts at content/.",
            )
        )
    return problems


def body_address_problems(doc: Document, body: str) -> list[Problem]:
    """Links and images of the body that only the curator's machine or network
    can reach (``http://127.0.0.1:8765/...`` from a feed served locally while
    ingesting), at their line in the Markdown: the site check would only name
    the line of a built page."""
    problems = []
    lines = BodyLines(doc)
    for attribute, url in _ADDRESS.findall(body):
        address = html.unescape(url)
        reason = unreachable_host(address)
        if reason is None:
            continue
        what = "links to" if attribute.lower() == "href" else "shows"
        problems.append(
            Problem(
                doc.path,
                lines.line(address, url),
                "body",
                f"{what} '{address[:120]}', which {reason}.",
                "Link the public address instead, or remove the link.",
            )
        )
    return problems


def site_link_problems(
    doc: Document,
    links: list[SiteLink],
    *,
    content_base: Path,
    item_dir: str,
    static_paths: list[str],
    content_paths: list[str],
) -> list[Problem]:
    """Every ``{what}`` address in the body: the sanitiser removed the forms
    Pelican must never rewrite; the files of the kept ones must be real,
    inside content/, and publishable."""
    problems = []
    lines = BodyLines(doc)
    for link in links:
        if link.kept:
            reason = link_problem(
                content_base,
                item_dir,
                link.what,
                link.target,
                static_paths=static_paths,
                content_paths=content_paths,
            )
            if reason is None:
                continue
            message = f"links to '{link.written[:120]}', which {reason}."
        elif link.what in SITE_LINK_KINDS:
            message = (
                f"links to '{link.written[:120]}', which is not a plain path to "
                "a file (no '%', '&', '\\', spaces, queries or schemes)."
            )
        else:
            message = (
                f"uses the link prefix '{{{link.what[:40]}}}' "
                f"('{link.written[:120]}'); only {{static}} and {{filename}} "
                "are allowed."
            )
        problems.append(
            Problem(
                doc.path,
                lines.line(
                    f"{{{link.what}}}{link.target}",
                    f"|{link.what}|{link.target}",
                    link.target,
                    f"{link.what}",
                ),
                "body",
                message,
                LINK_FIX,
            )
        )
    return problems


# --- Rendering within bounds -------------------------------------------------------


def body_problems(
    doc: Document,
    body: str,
    links: list[SiteLink],
    source: SourceFile,
    settings: dict[str, Any],
) -> list[Problem]:
    """What is wrong with a rendered, sanitised body: its site links, bare
    image paths, images without alt text."""
    problems = site_link_problems(
        doc,
        links,
        content_base=source.base,
        item_dir=source.folder,
        static_paths=list(settings["STATIC_PATHS"]),
        content_paths=[
            *settings["ARTICLE_PATHS"],
            *settings["PAGE_PATHS"],
        ],
    )
    problems.extend(body_image_problems(doc, body))
    if _IMG_WITHOUT_ALT.search(body):
        problems.append(
            Problem(
                doc.path,
                doc.body_line,
                "body",
                "has an image without alt text.",
                "Write images as ![what the image shows]({static}/images/<file>).",
            )
        )
    return problems


RENDER_SECONDS = 10.0


class _TooSlow(BaseException):
    """Raised by the timer inside Markdown; a BaseException so that no
    ``except Exception`` inside a library swallows it."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (main thread, Unix, no timer already
    armed: elsewhere the block runs unbounded rather than disturb its host)."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


MAX_NESTING = 32


def nesting_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of lists and quotes in Markdown ``text``, and the index
    of the (0-based) line that reaches it.

    Counted on the source, not left to the renderer: how deep Python-Markdown can
    recurse is a property of its release (3.11.4 renders 300 levels that 3.11.3
    could not), and a limit that moves with a library is no limit. Each ``>`` at
    the start of a line, and each four columns of indentation before a list
    marker or text, is one level; fenced code is not Markdown and is skipped."""
    deepest, where, fence = 0, 0, ""
    for index, line in enumerate(text.splitlines()):
        stripped = line.lstrip(" \t>")
        if fence:
            if stripped.startswith(fence):
                fence = ""
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        depth, column = 0, 0
        for char in line:
            if char == ">":
                depth, column = depth + 1, 0
            elif char == " ":
                column += 1
            elif char == "\t":
                column += 4 - column % 4
            else:
                break
        depth += column // 4
        if depth > deepest:
            deepest, where = depth, index
    return deepest, where


def render_body(
    text: str,
    links: list[SiteLink],
    *,
    link_regex: str = INTRASITE_LINK_REGEX,
    seconds: float = RENDER_SECONDS,
    render: Callable[..., str] = render_markdown,
) -> tuple[str | None, str | None]:
    """The sanitised HTML of a body, or why it cannot be rendered.

    Python-Markdown has needed minutes for some short inputs (10 KB of '[' took
    half a minute in 3.11.3, 50 KB hours) and recurses once per level of nested
    lists; a curator's text never does either, a pasted hostile one may. Both
    bounds are ours, whatever the release: the nesting is counted before
    rendering, and the renderer (``render``, injectable so the deadline can be
    tested with a renderer that is slow on purpose) runs under a timer."""
    depth, _line = nesting_depth(text)
    if depth > MAX_NESTING:
        return None, (
            f"is nested too deeply ({depth} levels of lists or quotes inside each "
            f"other; at most {MAX_NESTING})"
        )
    try:
        with _time_limit(seconds):
            return render(text, links=links, link_regex=link_regex), None
    except _TooSlow:
        return None, (
            f"takes more than {seconds:g} s to render (runs of brackets, quotes or "
            "markup that Markdown reads very slowly)"
        )
    except RecursionError:
        return None, "is nested too deeply (lists or quotes inside each other)"

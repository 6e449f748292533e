"""The text part of an edition's email, as a newsletter's text part reads.

Mail clients that show the text part (and people who prefer it) get lines of at
most 72 columns wrapped at spaces (a word or an address is never split, so a
long URL stays one line), no markup (no ``**bold**`` or ``<em>``), and links
as numbered references: ``tidal power [1]`` in the text and a ``Links`` list of
``[1] https://...`` at the end.

Why a small walk over lxml's tree rather than a converter like html2text: the
HTML is already sanitised (``newsdigest.model.sanitize``), so only a handful of
block elements can occur, and the output must be exact and stable (tests compare
it byte for byte); html2text writes Markdown, which is what must not appear.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import lxml.html

WIDTH = 72
# Blocks of the sanitised HTML; everything else is inline and only its text
# counts (emphasis, code, abbreviations are dropped as markup).
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "div", "pre", "table", "tr", "dl", "dt", "dd", "figure", *HEADINGS}


def wrap(text: str, first: str = "", rest: str | None = None) -> str:
    """``text`` on lines of at most ``WIDTH`` columns, words never split.

    ``first`` starts the first line (``"- "``, ``"> "``), ``rest`` the others
    (default: as many spaces as ``first``). A word longer than a line (an
    address) gets a line of its own rather than being broken."""
    words = " ".join(text.split())
    if not words:
        return first.rstrip()
    return textwrap.fill(
        words,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=" " * len(first) if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


@dataclass
class PlainText:
    """One email's text: wrapped paragraphs and the links they reference.

    The template calls ``wrap``, ``html`` and ``link`` in reading order, so
    references are numbered as the reader meets them; ``footer()`` lists them.
    The same address gets the same number every time."""

    links: list[str] = field(default_factory=list)

    def link(self, url: str) -> str:
        """``[n]``: the reference of ``url`` (added to the list if new)."""
        url = " ".join(str(url).split())
        if url not in self.links:
            self.links.append(url)
        return f"[{self.links.index(url) + 1}]"

    def wrap(self, text: str, first: str = "", rest: str | None = None) -> str:
        return wrap(str(text), first, rest)

    def html(self, markup: str, indent: str = "") -> str:
        """Sanitised HTML as wrapped text: paragraphs apart, list items as
        ``- `` (or ``1. ``), quotes as ``> ``, links as ``text [n]``."""
        if not str(markup).strip():
            return ""
        root = lxml.html.fragment_fromstring(str(markup), create_parent="div")
        return "\n\n".join(self._blocks(root, indent, indent))

    # --- The walk ---------------------------------------------------------------

    def _blocks(
        self, element: lxml.html.HtmlElement, first: str, rest: str
    ) -> list[str]:
        """The element's children as wrapped blocks; loose text is a paragraph."""
        blocks: list[str] = []
        inline: list[str] = [element.text or ""]

        def flush() -> None:
            text = "".join(inline)
            inline.clear()
            if text.strip():
                blocks.append(wrap(text, first if not blocks else rest, rest))

        for child in element:
            if not isinstance(child.tag, str):  # a comment
                inline.append(child.tail or "")
                continue
            tag = child.tag.lower()
            if tag in ("ul", "ol", "blockquote", "hr", *BLOCKS):
                flush()
            head = rest if blocks else first  # the first block takes the marker
            if tag in ("ul", "ol"):
                blocks.extend(self._list(child, tag == "ol", rest))
            elif tag == "blockquote":
                blocks.extend(self._blocks(child, head + "> ", rest + "> "))
            elif tag == "hr":
                blocks.append(head + "-" * 10)
            elif tag in BLOCKS:
                blocks.extend(self._blocks(child, head, rest))
            elif tag == "br":
                flush()
            else:
                inline.append(self._inline(child))
            inline.append(child.tail or "")
        flush()
        return blocks

    def _list(
        self, element: lxml.html.HtmlElement, numbered: bool, rest: str
    ) -> list[str]:
        items = [child for child in element if getattr(child, "tag", None) == "li"]
        lines = []
        for number, child in enumerate(items, start=1):
            marker = f"{number}. " if numbered else "- "
            inner = rest + " " * len(marker)
            # Items follow each other line by line; paragraphs of one item
            # are apart, as elsewhere.
            lines.append("\n\n".join(self._blocks(child, rest + marker, inner)))
        return ["\n".join(lines)] if lines else []

    def _inline(self, element: lxml.html.HtmlElement) -> str:
        """The text of an inline element; a link adds its reference."""
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag == "img":
            text = element.get("alt") or ""
        else:
            text = (element.text or "") + "".join(
                self._inline(child) + (child.tail or "")
                for child in element
                if isinstance(child.tag, str)
            )
        href = element.get("href") if tag == "a" else None
        if href and href.startswith(("http://", "https://", "mailto:")):
            return f"{text} {self.link(href)}" if text.strip() else self.link(href)
        return text

    def footer(self) -> str:
        """The ``Links`` list the references point into (empty when none)."""
        if not self.links:
            return ""
        width = len(f"[{len(self.links)}]")
        rows = [
            f"{f'[{n}]':<{width}} {url}" for n, url in enumerate(self.links, start=1)
        ]
        return "Links\n" + "\n".join(rows)

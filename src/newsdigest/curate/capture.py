"""Articles captured as plain text: what a browser's "save as text" or a reader
copy gives, page chrome and all.

A capture is a list of lines. Each heuristic below recognises one kind of line
by its shape, not by one site's wording, so captures of other sites of the same
kind work too:

- navigation and share items: short bulleted lines, and known widget words
  ("Live", "Audio Only", "facebook", "Share this article") on their own line;
- the section path: short segments joined by ``>``, ``/``, ``»`` or ``|``
  ("News > Russia");
- the date: a line starting with Published / Posted / Updated / Date, or a
  line that is only a date;
- the label: a line that is only a label word ("Opinion", "Analysis");
- the photo caption and credit: a line ending in ``| Photo: X`` or
  ``Photo: X`` (also Image, Credit); other lines repeating the caption go;
- related links: "RELATED:", "Read more:", "See also:" lines, with the linked
  headline on the same or the next line;
- the comment widget: from a "Comment(s)" line to the end, when nothing after
  it is prose;
- the title: the first remaining line of headline shape (3 to 30 words, no
  final full stop); the standfirst: a short first paragraph after it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from newsdigest.curate.article import Article, label_for, sentences
from newsdigest.urls import CONTROL_CHARS

BULLET = re.compile(r"^\s*(?:[\u2022\u00b7\u25aa\u25cf\u2023\u2043*+-]|\d+\.)\s+")
CHROME_WORDS = frozenset(
    {
        "live",
        "audio only",
        "video",
        "watch live",
        "listen",
        "google plus",
        "google+",
        "facebook",
        "twitter",
        "x",
        "whatsapp",
        "telegram",
        "linkedin",
        "reddit",
        "pinterest",
        "email",
        "e-mail",
        "print",
        "share",
        "share this",
        "share this article",
        "share this story",
        "copy link",
        "menu",
        "search",
        "subscribe",
        "sign in",
        "log in",
        "login",
        "home",
        "advertisement",
        "skip to content",
        "skip to main content",
        "close",
        "more",
    }
)
SECTION = re.compile(
    r"^\S[^>/\u00bb\u203a|]{0,40}(?:\s+[>/\u00bb\u203a|]\s+[^>/\u00bb\u203a|]{1,40})+$"
)
DATE_PREFIX = re.compile(
    r"^(published|posted|updated|last updated|date|first published)\b"
    r"\s*(?:on\s+)?:?\s*(.*)$",
    re.IGNORECASE,
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"([A-Za-z]{3,9})\.?"
DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b"
)
MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
)
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
CREDIT = re.compile(
    r"^(?P<caption>.*?)(?:\s*\|\s*|\s+|^)(?:Photo|Photograph|Image|Picture|Credit)s?"
    r"\s*:\s*(?P<credit>\S.{0,80}?)\s*$",
    re.IGNORECASE,
)
RELATED = re.compile(
    r"^(?:related|read more|read also|also read|see also|more on this|recommended)"
    r"\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
COMMENTS = re.compile(
    r"^(?:\d+\s+)?comments?$|^(?:post|there are) no comments|^(?:leave|add|post) a "
    r"comment|^be the first to comment|^post with no comments",
    re.IGNORECASE,
)
URL_LINE = re.compile(
    r"^(?:(?:source|url|link|address)\s*:\s*)?(https?://\S+)$", re.IGNORECASE
)


@dataclass
class _Line:
    text: str
    bulleted: bool
    kind: str = "text"


def parse_date(text: str) -> dt.date | None:
    """The first date in ``text``: '31 December 2021', 'Dec. 31, 2021', '2021-12-31'."""
    for pattern, order in (
        (ISO_DATE, "ymd"),
        (DAY_MONTH_YEAR, "dmy"),
        (MONTH_DAY_YEAR, "mdy"),
    ):
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month = parts["m"]
            number = int(month) if month.isdigit() else MONTHS.get(month.lower())
            if number is None:
                continue
            try:
                return dt.date(int(parts["y"]), number, int(parts["d"]))
            except ValueError:
                continue
    return None


def _is_headline(text: str) -> bool:
    words = text.split()
    return 3 <= len(words) <= 30 and not text.endswith((".", ":", ";", ","))


def _is_prose(text: str) -> bool:
    return len(text.split()) >= 8


def parse_capture(text: str) -> Article:
    """Title, date, section, label, standfirst, caption and credit, and body
    paragraphs of a text capture; everything else on the page is dropped."""
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            continue
        bulleted = bool(BULLET.match(raw))
        text = " ".join(CONTROL_CHARS.sub(" ", BULLET.sub("", raw)).split())
        if text:
            lines.append(_Line(text, bulleted))
    article = Article()
    _mark_captions(lines, article)
    _mark_comment_widget(lines)
    skip_next_headline = False
    for line in lines:
        if line.kind != "text":
            continue
        folded = line.text.casefold().rstrip(":")
        if skip_next_headline:
            skip_next_headline = False
            if _is_headline(line.text) and len(line.text.split()) <= 20:
                line.kind = "related"
                continue
        if folded in CHROME_WORDS or (line.bulleted and len(line.text.split()) <= 3):
            line.kind = "chrome"
        elif related := RELATED.match(line.text):
            line.kind = "related"
            skip_next_headline = not related.group("rest").strip()
        elif url := URL_LINE.match(line.text):
            line.kind = "url"
            article.url = article.url or url.group(1)
        elif (date := DATE_PREFIX.match(line.text)) and parse_date(date.group(2)):
            line.kind = "date"
            if (
                date.group(1).lower() != "updated"
                and date.group(1).lower() != "last updated"
            ):
                article.date = article.date or parse_date(date.group(2))
        elif parse_date(line.text) and len(line.text.split()) <= 5:
            line.kind = "date"
            article.date = article.date or parse_date(line.text)
        elif (
            article.label in (None, "news")
            and label_for(line.text.rstrip("."))
            and not article.paragraphs
        ):
            line.kind = "label"
            article.label = label_for(line.text.rstrip("."))
        elif not article.title and not article.sections and SECTION.match(line.text):
            line.kind = "section"
            article.sections = [
                " ".join(s.split())
                for s in re.split(r"\s+[>/\u00bb\u203a|]\s+", line.text)
            ]
        elif not article.title and _is_headline(line.text) and not line.bulleted:
            line.kind = "title"
            article.title = line.text
        elif article.title:
            article.paragraphs.append(line.text)
            line.kind = "body"
        else:
            line.kind = "chrome"  # before the headline: navigation, teasers
    _standfirst(article)
    return article


def _mark_captions(lines: list[_Line], article: Article) -> None:
    """Find the photo caption and credit; drop every line repeating the caption."""
    for line in lines:
        match = CREDIT.match(line.text)
        if not match or _is_prose(match.group("credit")):
            continue
        line.kind = "caption"
        if not article.credit:
            article.credit = match.group("credit").strip()
            article.caption = match.group("caption").strip(" |")
    if article.caption:
        for line in lines:
            if line.kind == "text" and line.text.strip(" |") == article.caption:
                line.kind = "caption"


def _mark_comment_widget(lines: list[_Line]) -> None:
    """Everything from a comments line on, when no prose follows it."""
    for index, line in enumerate(lines):
        if COMMENTS.match(line.text) and not any(
            _is_prose(rest.text) and not COMMENTS.match(rest.text)
            for rest in lines[index + 1 :]
        ):
            for rest in lines[index:]:
                rest.kind = "comments"
            return


def _standfirst(article: Article) -> None:
    """A short first paragraph (one or two sentences) is the standfirst."""
    if len(article.paragraphs) < 2:
        return
    first = article.paragraphs[0]
    if len(sentences(first)) <= 2 and len(first) <= 350:
        article.description = first
        article.paragraphs = article.paragraphs[1:]

"""From an extracted article to a draft: summary, key quotes, topic and tags.

A digest links to the original and never republishes it: the draft gets the
page's own description (or its first sentences) as a summary for the curator to
rewrite (the note says so), and up to three short quotations, each credited to
the person the text names as its speaker (newsdigest.curate.quotes); with no
such quotation, none. The rest of the original stays where it was published.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote as percent_encode
from urllib.parse import urlsplit

from unidecode import unidecode

from newsdigest.curate.catalogue import Catalogue, TopicGuess, guess_topic
from newsdigest.curate.drafts import Draft, markdown_text, slugify
from newsdigest.curate.furniture import clean_headline, host_label, outlet_name
from newsdigest.curate.quotes import (
    MAX_QUOTES,
    QUOTE_MAX,
    Quote,
    find_quotes,
)
from newsdigest.editions.periods import zone
from newsdigest.model.frontmatter import UNSAFE_CHARS
from newsdigest.model.placeholders import BODY_LINES
from newsdigest.model.schema import (
    LABELS,
    MAX_FIELD_BYTES,
    MAX_LIST,
    MAX_NAME_BYTES,
    SUMMARY_SENTENCES,
)
from newsdigest.urls import clean_url

logger = logging.getLogger(__name__)

SUMMARY_MAX = 300
# A note quotes page text (sections, a caption): a page cannot make the draft
# larger than an item may be.
NOTE_MAX = 500

IMPORTED_NOTE = (
    "Imported draft: rewrite the summary and write the text in our own words; "
    "keep quotes exact and short. These notes are never published."
)

# Bidirectional embeddings, overrides and isolates: invisible, they make text
# read in another order than it is stored (in an editor, a terminal, a page).
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_HIDDEN = re.compile(f"{UNSAFE_CHARS.pattern}|[{BIDI_CONTROLS}]")
LABEL_WORDS = {
    "news": "news",
    "opinion": "opinion",
    "op-ed": "opinion",
    "editorial": "opinion",
    "commentary": "opinion",
    "column": "opinion",
    "analysis": "analysis",
    "interview": "interview",
    "explainer": "explainer",
}


@dataclass
class Article:
    """What an import found in one original, before it becomes a draft."""

    title: str = ""
    url: str = ""
    site_name: str = ""
    date: dt.date | dt.datetime | None = None
    authors: list[str] = field(default_factory=list)
    description: str = ""
    image: dict[str, str] | None = None
    language: str | None = None
    sections: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    label: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    caption: str = ""
    credit: str = ""
    # The publication time when the page gave it without an offset (``date``
    # is then the day alone): with the outlet's timezone it becomes exact.
    local_time: dt.datetime | None = None


def label_for(word: str) -> str | None:
    """The schema label a page's own label word means ("Op-Ed" -> opinion)."""
    label = LABEL_WORDS.get(word.strip().casefold())
    return label if label in LABELS else None


def sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping their final punctuation.

    The boundary is the schema's own rule (the one that counts a summary's
    sentences), so a summary built here is counted the same way.
    """
    found: list[str] = []
    start = 0
    for match in SUMMARY_SENTENCES.finditer(text):
        found.append(text[start : match.end()].strip())
        start = match.end()
    found.append(text[start:].strip())
    return [s for s in found if s]


def summary_of(article: Article) -> str:
    """The page's description, else the first one or two sentences of its text."""
    for text in [article.description, *article.paragraphs]:
        text = " ".join(text.split())
        if len(text) < 20:
            continue
        parts = sentences(text)
        summary = parts[0]
        if len(parts) > 1 and len(summary) + len(parts[1]) < SUMMARY_MAX:
            summary = f"{summary} {parts[1]}"
        return shorten(summary, SUMMARY_MAX)
    return article.title


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut} \u2026"


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut} \u2026"


def fit(text: str, max_bytes: int) -> str:
    """``text`` cut at a word to the schema's limit in UTF-8 bytes (marked with
    an ellipsis): a page's overlong title, outlet or alt text must not make a
    draft that stops every build until it is fixed."""
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    room = max_bytes - len(" \u2026".encode())
    cut = text.encode("utf-8")[:room].decode("utf-8", "ignore")
    if " " in cut.strip():
        cut = cut.rsplit(" ", 1)[0]
    return f"{cut.rstrip(' ,;:')} \u2026"


def _trim_quote(text: str) -> str:
    """A short quote: whole sentences up to QUOTE_MAX characters, cut marked."""
    text = " ".join(text.split()).strip().rstrip(",")
    if len(text) <= QUOTE_MAX:
        return text
    kept = ""
    for sentence in sentences(text):
        if len(kept) + len(sentence) + 1 > QUOTE_MAX:
            break
        kept = f"{kept} {sentence}".strip()
    return f"{kept or shorten(text, QUOTE_MAX).rstrip(' …')} [\u2026]"


def key_quotes(
    paragraphs: list[str],
    limit: int = MAX_QUOTES,
    context: str = "",
    exclude: list[str] | None = None,
) -> list[Quote]:
    """Up to ``limit`` quotations attributed by name (newsdigest.curate.quotes),
    each cut to whole sentences of at most QUOTE_MAX characters."""
    return [
        Quote(_trim_quote(q.text), q.speaker)
        for q in find_quotes(paragraphs, limit, context, exclude or [])
    ]


def body_for(article: Article, source: str) -> str:
    """A draft body: the placeholder for our own text, then key quotes.

    Every quote, speaker and outlet name is page text, so it is written as
    escaped Markdown: it renders as exactly the text the page had, never as a
    link, an image, markup or a reference definition."""
    lines = [BODY_LINES[0], ""]
    context = "\n".join([article.title, article.description, article.caption])
    exclude = [source, article.site_name, *article.authors]
    for quote in key_quotes(article.paragraphs, context=context, exclude=exclude):
        lines.append(f"> \u201c{markdown_text(quote.text)}\u201d")
        lines.append("")
        who = f"{quote.speaker}, via {source}" if quote.speaker else source
        lines.append(f"\u2014 {markdown_text(who)}")
        lines.append("")
    return "\n".join(lines)


def with_timezone(
    article: Article, timezone: str | None
) -> dt.date | dt.datetime | None:
    """``source_date``: the page's date-time with its offset; a time the page
    gave without one, in the outlet's declared timezone (sources.yml); else
    the date alone, because a time in an unknown zone is a wrong time."""
    if article.local_time is not None and timezone:
        return article.local_time.replace(tzinfo=zone(timezone))
    return article.date


def source_name(article: Article, catalogue: Catalogue) -> str:
    """The outlet as the digest already names it, else as the page names itself
    (newsdigest.curate.furniture.outlet_name)."""
    known = catalogue.source_for(article.url) if article.url else None
    if known:
        return known
    return outlet_name([article.site_name], article.url, article.title)


def topic_for(
    article: Article, catalogue: Catalogue, suggested: str | None, tags: list[str]
) -> TopicGuess | None:
    """The topic a page's own sections, keywords and text point to among the
    digest's declared topics, with how sure the guess is.

    A section or keyword naming a topic wins; then the topic earlier items with
    the same tags were filed under; then shared words with a topic's name and
    description.
    """
    guess = guess_topic(
        catalogue.topics,
        article.sections,
        article.keywords,
        f"{article.title} {article.description}",
    )
    if guess and guess.confidence == "high":
        return guess
    if suggested:
        return TopicGuess(
            suggested, f"earlier items tagged {', '.join(tags[:3])}", "medium"
        )
    return guess


def draft_from_article(
    article: Article,
    catalogue: Catalogue,
    *,
    now: dt.datetime,
    topic: str | None = None,
    extra_tags: list[str] | None = None,
    default_topic: str | None = None,
    source: str | None = None,
    timezone: str | None = None,
) -> tuple[Draft, list[str]]:
    """The draft for ``article`` and notes for the curator (guesses to check)."""
    notes: list[str] = []
    article = scrub(article)
    source = source or source_name(article, catalogue)
    # The headline without the outlet's name, section and date: before the slug.
    article.title = clean_headline(
        article.title,
        names=[source, article.site_name, host_label(article.url)],
        sections=article.sections,
    )
    url = clean_url(article.url)
    suggested_topic, tags = catalogue.suggest(
        [*article.sections, *article.keywords], f"{article.title} {article.description}"
    )
    for tag in extra_tags or []:
        if tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(catalogue.tag(tag) or " ".join(tag.split()))
    guess = None if topic else topic_for(article, catalogue, suggested_topic, tags)
    chosen = topic or (guess.slug if guess else None) or default_topic
    if chosen is None:
        chosen = next(iter(catalogue.topics), "")
        notes.append(
            f"Topic not recognised (sections: {', '.join(article.sections) or 'none'});"
            f" set to '{chosen}': check it."
        )
    elif guess and not topic:
        notes.append(guess.note())
    notes.append(
        "summary: the outlet's own "
        + ("description" if article.description else "opening sentences")
        + ", to be rewritten in our words."
    )
    if article.sections:
        notes.append("Section in the original: " + " > ".join(article.sections))
    if article.caption or article.credit:
        notes.append(
            f"Photo in the original: {article.caption or '(no caption)'}"
            + (f" (credit: {article.credit})" if article.credit else "")
        )
    if article.label and article.label != "news":
        notes.append(f"The original is labelled '{article.label}'.")
    slug = unique_slug(slug_for(article), catalogue)
    image = article.image
    if image:
        image = {
            k: v if k == "src" else fit(v, MAX_FIELD_BYTES) for k, v in image.items()
        }
    draft = Draft(
        title=fit(article.title, MAX_FIELD_BYTES),
        slug=slug,
        topic=chosen,
        date=now,
        summary=fit(summary_of(article), MAX_FIELD_BYTES),
        source=fit(source, MAX_NAME_BYTES),
        source_url=url,
        source_date=with_timezone(article, timezone),
        authors=[fit(a, MAX_NAME_BYTES) for a in article.authors][
            : MAX_LIST["authors"]
        ],
        label=article.label or "news",
        tags=[fit(t, MAX_NAME_BYTES) for t in tags][: MAX_LIST["tags"]],
        image=image,
        lang=article.language,
    )
    draft.body = body_for(article, source)
    draft.notes = [IMPORTED_NOTE, *(_shorten(note, NOTE_MAX) for note in notes)]
    return draft, notes


def _scrub(text: str) -> str:
    """One line of text without the control characters the schema refuses."""
    return " ".join(_HIDDEN.sub(" ", text).split())


def scrub(article: Article) -> Article:
    """Pages carry invisible characters (U+2028, NUL, ESC, C1 controls, bidi
    overrides) that the schema refuses in front matter or that disguise text in
    an editor or a terminal; a draft must validate, so they become spaces (in
    the address, percent escapes)."""
    # An address keeps its meaning with invisible characters percent-encoded,
    # as a browser sends them.
    article.url = "".join(
        ch if ch.isprintable() else percent_encode(ch, safe="")
        for ch in article.url.strip()
    )
    article.title = _scrub(article.title)
    article.description = _scrub(article.description)
    article.site_name = _scrub(article.site_name)
    article.caption, article.credit = _scrub(article.caption), _scrub(article.credit)
    article.authors = [a for a in map(_scrub, article.authors) if a]
    article.sections = [x for x in map(_scrub, article.sections) if x]
    article.keywords = [x for x in map(_scrub, article.keywords) if x]
    article.paragraphs = [x for x in map(_scrub, article.paragraphs) if x]
    if article.image:
        article.image = {k: _scrub(v) for k, v in article.image.items()}
    return article


def slug_for(article: Article) -> str:
    """A slug from the title; for a title without Latin letters (Cyrillic, Arabic,
    Chinese...), from the last part of the original's address.

    Latin letters that do not decompose are transliterated first (Unidecode):
    "beschließt" -> "beschliesst", "Łódź" -> "lodz", not "beschliet".
    """
    folded = unicodedata.normalize("NFKD", article.title).encode("ascii", "ignore")
    if re.search(rb"[A-Za-z0-9]", folded):
        return slugify(unidecode(article.title))
    last = urlsplit(article.url).path.rstrip("/").rsplit("/", 1)[-1]
    last = re.sub(r"\.[a-z0-9]{2,5}$", "", last, flags=re.IGNORECASE)
    return slugify(last)


def unique_slug(slug: str, catalogue: Catalogue) -> str:
    """``slug``, or ``slug-2``, ``slug-3``... if an item already has it."""
    if slug not in catalogue.slugs:
        return slug
    number = 2
    while f"{slug}-{number}" in catalogue.slugs:
        number += 1
    return f"{slug}-{number}"

"""From an extracted article to a draft: summary, key quotes, topic and tags.

A digest links to the original and never republishes it: the draft gets the
page's own description (or its first sentences) as a summary for the curator to
rewrite, and two or three short quotes, each attributed to its speaker when the
text says who spoke. The rest of the original stays where it was published.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote as percent_encode
from urllib.parse import urlsplit

from newsdigest.curate.catalogue import Catalogue
from newsdigest.curate.drafts import Draft, markdown_text, slugify
from newsdigest.model.frontmatter import UNSAFE_CHARS
from newsdigest.model.schema import (
    LABELS,
    MAX_FIELD_BYTES,
    MAX_LIST,
    MAX_NAME_BYTES,
    SUMMARY_SENTENCES,
)
from newsdigest.placeholders import BODY_LINES
from newsdigest.urls import clean_url

logger = logging.getLogger(__name__)

MAX_QUOTES = 3
QUOTE_MIN, QUOTE_MAX = 40, 280
SUMMARY_MAX = 300
# A note quotes page text (sections, a caption): a page cannot make the draft
# larger than an item may be.
NOTE_MAX = 500
# Double quotes and guillemets only: an apostrophe is not a quotation mark.
QUOTED = re.compile(
    r"[\"\u201c\u201e\u00ab]\s*([^\"\u201c\u201d\u201e\u00ab\u00bb]{20,}?)\s*[\"\u201d\u00bb]"
)
SPEECH = (
    r"(?:said|says|stated|states|declared|told|added|noted|wrote|explained|warned|"
    r"argued|insisted|stressed|announced)"
)
NAME = r"(?:[A-Z][\w'\u2019.-]+)(?:\s+[A-Z][\w'\u2019.-]+){0,3}"
# "..., Lavrov stated."  "..., the Minister said to Sputnik."  "Ushakov, declared that"
SPEAKER_BEFORE_VERB = re.compile(rf"((?:the\s+)?{NAME}),?\s+{SPEECH}\b")
# "..., said Sergei Lavrov."  "..., said councillor Priya Shah."
ROLE_WORD = (
    r"(?!(?:on|in|at|that|to|the|a|an|it|he|she|they|we|this|last|next|by|for|from"
    r"|with|of|and|but|after|before|during|when)\b)[a-z][a-z-]+"
)
VERB_BEFORE_SPEAKER = re.compile(rf"\b{SPEECH}\s+(?:{ROLE_WORD}\s+){{0,2}}({NAME})")
# "Ana Ortega, the minister, declared that ..."
SPEAKER_APPOSITIVE = re.compile(rf"({NAME}),\s+[^,\"]{{1,60}},\s+{SPEECH}\b")
IMPORTED_NOTE = (
    "Imported draft: rewrite the summary and write the text in our own words; "
    "keep quotes exact and short. These notes are never published."
)
# Bidirectional embeddings, overrides and isolates: invisible, they make text
# read in another order than it is stored (in an editor, a terminal, a page).
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_HIDDEN = re.compile(f"{UNSAFE_CHARS.pattern}|[{BIDI_CONTROLS}]")
PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "this", "that"})
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


@dataclass
class Quote:
    text: str
    speaker: str | None


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
        return _shorten(summary, SUMMARY_MAX)
    return article.title


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


def _speaker(paragraph: str, start: int, end: int) -> str | None:
    """Who the text says spoke the quote at paragraph[start:end].

    The words right after the quote are tried first ("..., Lavrov said"), then
    the words before it ("Ushakov declared that ..."). Pronouns do not name
    anyone, so they are not an attribution.
    """
    after = QUOTED.sub(" ", paragraph[end : end + 120])
    before = QUOTED.sub(" ", paragraph[max(0, start - 160) : start])
    patterns = (SPEAKER_BEFORE_VERB, VERB_BEFORE_SPEAKER, SPEAKER_APPOSITIVE)
    for text in (after, before):
        for pattern in patterns:
            matches = list(pattern.finditer(text))
            if not matches:
                continue
            match = matches[0] if text is after else matches[-1]
            name = match.group(1).strip().rstrip(".")
            if name.casefold().removeprefix("the ") in PRONOUNS:
                continue
            return name
    return None


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
    return f"{kept or _shorten(text, QUOTE_MAX).rstrip(' …')} [\u2026]"


def full_name(speaker: str, context: str) -> str:
    """The fullest name the text gives a speaker.

    "Lavrov" becomes "Sergei Lavrov" when the text says so somewhere; "the
    Minister" becomes the person the text calls a minister ("Sergei Lavrov,
    Russian Foreign Minister", "Foreign Minister Sergei Lavrov").
    """
    words = speaker.split()
    if words[0].casefold() == "the" and len(words) > 1:
        role = re.escape(" ".join(words[1:]))
        for pattern in (
            rf"(?P<name>{NAME}),\s+(?:[\w.'-]+\s+){{0,3}}{role}\b",
            rf"\b{role}\s+(?P<name>{NAME})",
        ):
            match = re.search(pattern, context)
            if match:
                return full_name(match.group("name"), context)
        return speaker
    if len(words) == 1:
        match = re.search(
            rf"\b((?:[A-Z][a-z'\u2019-]+\s+){{1,2}}){re.escape(speaker)}\b", context
        )
        if match and not any(w.casefold() in PRONOUNS for w in match.group(1).split()):
            return f"{' '.join(match.group(1).split())} {speaker}"
    return speaker


def key_quotes(
    paragraphs: list[str], limit: int = MAX_QUOTES, context: str = ""
) -> list[Quote]:
    """Up to ``limit`` quoted statements, in text order.

    Attributed quotes that are short as published are preferred, then
    attributed ones that had to be cut, then the rest. With no quoted speech in
    the text, the opening sentences stand in as short excerpts (attributed to
    the outlet by the caller). ``context`` (title, standfirst, captions) helps
    name speakers in full.
    """
    context = "\n".join([context, *paragraphs])
    found: list[tuple[int, Quote, bool]] = []
    for paragraph in paragraphs:
        for match in QUOTED.finditer(paragraph):
            text = match.group(1)
            if len(text) < QUOTE_MIN:
                continue
            speaker = _speaker(paragraph, match.start(), match.end())
            if speaker:
                speaker = full_name(speaker, context)
            fits = len(text.strip()) <= QUOTE_MAX
            found.append((len(found), Quote(_trim_quote(text), speaker), fits))
    ranked = sorted(found, key=lambda f: (not f[1].speaker, not f[2], f[0]))
    chosen = sorted(ranked[:limit], key=lambda f: f[0])
    quotes = [q for _, q, _ in chosen]
    if not quotes:
        for paragraph in paragraphs:
            parts = sentences(paragraph)
            if parts and len(parts[0]) >= QUOTE_MIN:
                quotes.append(Quote(_trim_quote(parts[0]), None))
            if len(quotes) == 2:
                break
    return quotes


def body_for(article: Article, source: str) -> str:
    """A draft body: the placeholder for our own text, then key quotes.

    Every quote, speaker and outlet name is page text, so it is written as
    escaped Markdown: it renders as exactly the text the page had, never as a
    link, an image, markup or a reference definition."""
    lines = [BODY_LINES[0], ""]
    context = "\n".join([article.title, article.description, article.caption])
    for quote in key_quotes(article.paragraphs, context=context):
        lines.append(f"> \u201c{markdown_text(quote.text)}\u201d")
        lines.append("")
        who = f"{quote.speaker}, via {source}" if quote.speaker else source
        lines.append(f"\u2014 {markdown_text(who)}")
        lines.append("")
    return "\n".join(lines)


def source_name(article: Article, catalogue: Catalogue) -> str:
    """The outlet as the digest already names it, else the page's site name,
    else the domain."""
    known = catalogue.source_for(article.url) if article.url else None
    if known:
        return known
    if article.site_name.strip():
        return " ".join(article.site_name.split())
    host = urlsplit(article.url).hostname or "unknown source"
    return host.removeprefix("www.")


def draft_from_article(
    article: Article,
    catalogue: Catalogue,
    *,
    now: dt.datetime,
    topic: str | None = None,
    extra_tags: list[str] | None = None,
    default_topic: str | None = None,
    source: str | None = None,
) -> tuple[Draft, list[str]]:
    """The draft for ``article`` and notes for the curator (guesses to check)."""
    notes: list[str] = []
    article = scrub(article)
    source = source or source_name(article, catalogue)
    url = clean_url(article.url)
    suggested_topic, tags = catalogue.suggest(
        [*article.sections, *article.keywords], f"{article.title} {article.description}"
    )
    for tag in extra_tags or []:
        if tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(catalogue.tag(tag) or " ".join(tag.split()))
    chosen = topic or suggested_topic or default_topic
    if chosen is None:
        chosen = next(iter(catalogue.topics), "")
        notes.append(
            f"Topic not recognised (sections: {', '.join(article.sections) or 'none'});"
            f" set to '{chosen}': check it."
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
        source_date=article.date,
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
    Chinese...), from the last part of the original's address."""
    folded = unicodedata.normalize("NFKD", article.title).encode("ascii", "ignore")
    if re.search(rb"[A-Za-z0-9]", folded):
        return slugify(article.title)
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

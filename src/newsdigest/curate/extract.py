"""Metadata and main text of a news page, with trafilatura and lxml.

trafilatura finds the main text and most metadata (OpenGraph, JSON-LD,
microdata, plain HTML). What a draft needs beyond that is read here from the
same page: the canonical URL, the language, the full publication date-time,
sections and keywords, and the lead image's alt text and credit, which
trafilatura does not return.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import re
from typing import Any

import lxml.html
import trafilatura

from newsdigest.curate.article import Article, label_for
from newsdigest.curate.furniture import clean_headline, host_label, outlet_name
from newsdigest.model.schema import LANG
from newsdigest.urls import CONTROL_CHARS, is_absolute_http_url, join_url

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "report",
    }
)


# The article's own <time>: inside <article>, or marked as the publication time.
PUBLISHED_TIME = (
    "//time[@itemprop='datePublished'] | //time[@pubdate] | //article//time"
)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


class ExtractError(ValueError):
    """The page cannot become a draft (no title, not HTML); the message says why."""


def decode_html(data: bytes, declared: str | None = None) -> str:
    """The page as text: the HTTP charset, else the page's own ``<meta charset>``,
    else UTF-8 if it decodes, else Windows-1252 (what browsers assume).

    lxml alone reads undeclared bytes as Latin-1, which turns every UTF-8
    headline without a ``<meta charset>`` into mojibake.
    """
    candidates = [declared]
    match = META_CHARSET.search(data[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore"))
    candidates += ["utf-8", "cp1252"]
    for encoding in candidates:
        if not encoding:
            continue
        try:
            return data.decode(encoding.strip().lower())
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def extract_article(
    html: bytes | str, url: str = "", *, encoding: str | None = None
) -> Article:
    """Everything a draft needs from one HTML page fetched or saved from ``url``.

    ``encoding`` is the charset the server declared, if any.
    """
    text = html if isinstance(html, str) else decode_html(html, encoding)
    # lxml refuses text that still carries an XML encoding declaration.
    text = XML_DECLARATION.sub("", text, count=1)
    try:
        tree = lxml.html.fromstring(text)
    except (lxml.etree.ParserError, ValueError) as error:
        raise ExtractError(f"is not an HTML page ({error})") from None
    meta = _meta(tree)
    ld = _json_ld_article(tree)
    found = trafilatura.bare_extraction(
        text,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        # trafilatura's deduplication remembers text across calls in a process
        # cache: a second import of a page would lose its paragraphs.
        deduplicate=False,
    )
    article = Article()
    canonical = _canonical(tree, meta, ld, url)
    article.url = canonical or url
    raw_title = _first(
        meta.get("og:title"),
        _text(ld.get("headline")),
        getattr(found, "title", None),
        _microdata(tree, "headline"),
        _first_text(tree, "//h1"),
        _first_text(tree, "//title"),
    )
    names = [
        meta.get("og:site_name"),
        _publisher(ld.get("publisher")),
        getattr(found, "sitename", None),
    ]
    sections = _unique(
        [
            *_strings(ld.get("articleSection")),
            *([meta["article:section"]] if meta.get("article:section") else []),
            *_strings(_microdata(tree, "articleSection")),
            *(getattr(found, "categories", None) or []),
        ]
    )
    article.site_name = outlet_name(names, article.url, raw_title) if any(names) else ""
    title = clean_headline(
        " ".join(CONTROL_CHARS.sub(" ", raw_title or "").split()),
        names=[*(n for n in names if n), article.site_name, host_label(article.url)],
        sections=sections,
        references=[
            _text(ld.get("headline")),
            # every <h1>: the first is often the logo
            *(" ".join(h.text_content().split()) for h in tree.xpath("//h1")[:5]),
            _microdata(tree, "headline"),
        ],
    )
    article.title = " ".join(CONTROL_CHARS.sub(" ", title).split())
    if not article.title:
        raise ExtractError("has no title (no og:title, headline, <h1> or <title>)")
    article.description = " ".join(
        _first(
            meta.get("og:description"),
            meta.get("description"),
            _text(ld.get("description")),
            getattr(found, "description", None),
        ).split()
    )
    article.date, article.local_time = published(
        [
            meta.get("article:published_time"),
            _text(ld.get("datePublished")),
            _microdata(tree, "datePublished"),
            _first_attribute(tree, PUBLISHED_TIME, "datetime"),
            meta.get("date"),
            getattr(found, "date", None),
        ]
    )
    article.authors = _authors(ld, meta, found, tree)
    article.language = _language(tree, meta, ld)
    article.sections = sections
    article.keywords = _unique(
        [
            *_split_keywords(ld.get("keywords")),
            *meta.get_all("article:tag"),
            *_split_keywords(meta.get("keywords") or meta.get("news_keywords")),
            *[
                k
                for t in getattr(found, "tags", None) or []
                for k in _split_keywords(t)
            ],
        ]
    )
    article.image = _image(meta, ld, article.url or url)
    article.label = _label(ld, article.sections)
    article.paragraphs = _paragraphs(getattr(found, "text", None) or "", article.title)
    return article


class _Meta(dict[str, str]):
    """``<meta>`` values by lower-cased property/name; the first one wins."""

    def __init__(self) -> None:
        super().__init__()
        self.repeated: dict[str, list[str]] = {}

    def get_all(self, key: str) -> list[str]:
        return self.repeated.get(key, [])


def _meta(tree: Any) -> _Meta:
    meta = _Meta()
    for element in tree.iter("meta"):
        key = (
            (
                element.get("property")
                or element.get("name")
                or element.get("itemprop")
                or ""
            )
            .strip()
            .lower()
        )
        value = (element.get("content") or "").strip()
        if key and value:
            meta.setdefault(key, value)
            meta.repeated.setdefault(key, []).append(value)
    return meta


def _json_ld_article(tree: Any) -> dict[str, Any]:
    """The first JSON-LD object typed as an article (inside @graph or a list too)."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for node in _nodes(data):
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds):
                return node
    return {}


def _nodes(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Every object of a JSON-LD document: the top, ``@graph`` members and a
    WebPage's ``mainEntity`` (Nature, Springer), a few levels deep at most."""
    if depth > 4:
        return []
    if isinstance(data, list):
        return [n for item in data for n in _nodes(item, depth + 1)]
    if isinstance(data, dict):
        return [
            data,
            *_nodes(data.get("@graph", []), depth + 1),
            *_nodes(data.get("mainEntity", []), depth + 1),
        ]
    return []


def _publisher(value: Any) -> str | None:
    """JSON-LD ``publisher``: an organisation, a list of them, or a name."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _microdata(tree: Any, prop: str) -> str | None:
    for element in tree.xpath(f'//*[@itemprop="{prop}"]'):
        value = (
            element.get("content") or element.get("datetime") or element.text_content()
        )
        if value and value.strip():
            return " ".join(value.split())
    return None


def _first_attribute(tree: Any, xpath: str, name: str) -> str | None:
    for element in tree.xpath(xpath):
        value = (element.get(name) or "").strip()
        if value:
            return value
    return None


def _first_text(tree: Any, xpath: str) -> str | None:
    for element in tree.xpath(xpath):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _canonical(tree: Any, meta: _Meta, ld: dict[str, Any], url: str) -> str:
    candidates = [
        *(link.get("href") for link in tree.xpath('//link[@rel="canonical"]')),
        meta.get("og:url"),
        _text(ld.get("url")),
        _text((ld.get("mainEntityOfPage") or {}).get("@id"))
        if isinstance(ld.get("mainEntityOfPage"), dict)
        else _text(ld.get("mainEntityOfPage")),
    ]
    for candidate in candidates:
        if candidate and candidate.strip():
            absolute = join_url(url, candidate.strip()) if url else candidate.strip()
            if absolute and is_absolute_http_url(absolute):
                return absolute
    return ""


def _language(tree: Any, meta: _Meta, ld: dict[str, Any]) -> str | None:
    for raw in (
        tree.get("lang"),
        _text(ld.get("inLanguage")),
        meta.get("og:locale"),
        meta.get("content-language"),
    ):
        if raw:
            tag = raw.strip().replace("_", "-")
            if LANG.match(tag):
                return tag
    return None


def _authors(ld: dict[str, Any], meta: _Meta, found: Any, tree: Any) -> list[str]:
    names: list[str] = []
    author = ld.get("author")
    for entry in author if isinstance(author, list) else [author]:
        if isinstance(entry, dict):
            names.append(_text(entry.get("name")) or "")
        elif isinstance(entry, str):
            names.append(entry)
    if not any(names):
        names = meta.get_all("author") or meta.get_all("article:author")
        names = [n for n in names if not n.startswith("http")]
    if not any(names) and getattr(found, "author", None):
        names = re.split(r"\s*;\s*", found.author)
    if not any(names):
        names = [_microdata(tree, "author") or ""]
    return _unique([" ".join(n.split()) for n in names if n and n.strip()])


def _image(meta: _Meta, ld: dict[str, Any], base: str) -> dict[str, str] | None:
    """The lead image with alt text and credit; None when no alt text is known,
    because alt text describes the picture and cannot be invented."""
    ld_image = ld.get("image")
    if isinstance(ld_image, list):
        ld_image = ld_image[0] if ld_image else None
    src = meta.get("og:image") or meta.get("twitter:image")
    alt = meta.get("og:image:alt") or meta.get("twitter:image:alt")
    credit = None
    if isinstance(ld_image, dict):
        src = src or _text(ld_image.get("url") or ld_image.get("contentUrl"))
        alt = (
            alt or _text(ld_image.get("caption")) or _text(ld_image.get("description"))
        )
        credit = _text(ld_image.get("creditText")) or _text(
            (ld_image.get("copyrightHolder") or {}).get("name")
            if isinstance(ld_image.get("copyrightHolder"), dict)
            else ld_image.get("copyrightHolder")
        )
    elif isinstance(ld_image, str):
        src = src or ld_image
    if not src:
        return None
    src = join_url(base, src) if base else src
    if not src or not is_absolute_http_url(src) or not alt:
        return None
    alt = " ".join(alt.split())
    match = re.search(r"\s*[|(]?\s*(?:Photo|Image|Picture)\s*:\s*([^|)]+)\)?\s*$", alt)
    if match:
        credit = credit or match.group(1).strip()
        alt = alt[: match.start()].strip()
    image = {"src": src, "alt": alt}
    if credit:
        image["credit"] = " ".join(credit.split())
    return image if alt else None


def _label(ld: dict[str, Any], sections: list[str]) -> str | None:
    kinds = ld.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    for kind in kinds:
        if isinstance(kind, str):
            for word in ("Opinion", "Analysis", "Review"):
                if kind.startswith(word):
                    return label_for(word) or None
    for section in sections:
        label = label_for(section)
        if label and label != "news":
            return label
    return None


def _paragraphs(text: str, title: str) -> list[str]:
    paragraphs = [" ".join(p.split()) for p in text.split("\n")]
    return [p for p in paragraphs if p and p != title]


def parse_timestamp(raw: str | None) -> dt.date | dt.datetime | None:
    """An ISO 8601 or RFC 822 date as published: a date, or a date-time with
    its offset if it gave one (naive otherwise)."""
    raw = " ".join((raw or "").split())
    if not raw:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        value = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 822 "-0000" means "offset unknown": parsedate_to_datetime gives naive.
    return value


def published(
    candidates: list[str | None],
) -> tuple[dt.date | dt.datetime | None, dt.datetime | None]:
    """The publication date to write, and the local time when only that is known.

    ``candidates`` are the page's dates, most trusted first. A time without an
    offset is ambiguous (whose 07:30?), so the first date-time that carries an
    offset wins, if it falls on the same day as the first date given (another
    offset-bearing date on the page may be of something else). Without any
    offset, the date alone is written, and the naive time is returned for a
    caller that knows the outlet's timezone (``with_timezone``).
    """
    parsed = [p for p in map(parse_timestamp, candidates) if p is not None]
    if not parsed:
        return None, None
    first = parsed[0]
    day = first.date() if isinstance(first, dt.datetime) else first
    for value in parsed:
        if (
            isinstance(value, dt.datetime)
            and value.tzinfo is not None
            and value.date() == day
        ):
            return value, None
    naive = next(
        (
            p
            for p in parsed
            if isinstance(p, dt.datetime) and p.date() == day and p.time() != dt.time()
        ),
        None,
    )
    return day, naive


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0].strip()
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _split_keywords(value: Any) -> list[str]:
    return [k.strip() for s in _strings(value) for k in s.split(",") if k.strip()]


def _first(*values: str | None) -> str:
    return next((v.strip() for v in values if v and v.strip()), "")


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            unique.append(value)
    return unique

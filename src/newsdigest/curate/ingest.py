"""Source feeds to drafts: ``content/sources.yml`` lists the outlets a digest follows.

Each source is fetched with a conditional request (the ETag and Last-Modified
of the last successful run are kept in ``.newsdigest/ingest-state.json``), its
feed parsed with feedparser, and every entry whose link is not yet in the
digest becomes a draft. A source that fails is reported with its reason and
the others go on. The file, keyed by the source's name::

    teleSUR English:
      homepage: https://www.telesurenglish.net/
      feed: https://www.telesurenglish.net/rss/RssFeed.xml
      topic: geopolitics
      tags: [Latin America]

The file and its loader are ``newsdigest.model.sources`` (the build reads it
too: homepage, language, paywall); an outlet listed without a ``feed`` is
skipped here.

Feeds are fetched from public internet addresses only; a source on an
intranet (or a test server on 127.0.0.1) says ``allow_private_network: true``,
or the whole run is given ``--allow-private-network``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser
import lxml.etree

from newsdigest.curate.article import Article, draft_from_article
from newsdigest.curate.catalogue import Catalogue
from newsdigest.curate.drafts import DraftExists, draft_path, render, write_new
from newsdigest.curate.extract import published
from newsdigest.curate.fetch import FetchError, fetch
from newsdigest.curate.netguard import private_network, public_only
from newsdigest.filemodes import PRIVATE_DIR, PRIVATE_FILE, ensure_dir, write_atomic
from newsdigest.model.sources import Source
from newsdigest.urls import CONTROL_CHARS, clean_url, is_absolute_http_url

logger = logging.getLogger(__name__)

STATE_FILE = Path(".newsdigest") / "ingest-state.json"
TAG = re.compile(r"<[^>]+>")


@dataclass
class SourceResult:
    """What one source gave: drafts written, duplicates skipped, or why it failed."""

    name: str
    new: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: str | None = None
    not_modified: bool = False
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.failed:
            return f"{self.name}: failed: {self.failed}"
        if self.not_modified:
            return f"{self.name}: not modified since the last run"
        return (
            f"{self.name}: {len(self.new)} new, "
            f"{len(self.duplicates)} skipped as duplicates"
        )


def read_state(root: Path) -> dict[str, dict[str, str]]:
    path = root / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(root: Path, state: dict[str, dict[str, str]]) -> None:
    """Replace the state file atomically, so an interrupted run leaves the old one."""
    path = root / STATE_FILE
    ensure_dir(path.parent, PRIVATE_DIR)
    write_atomic(path, json.dumps(state, indent=2, sort_keys=True), PRIVATE_FILE)


def _plain(text: str) -> str:
    """Markup-free one-line text (entities decoded, control characters dropped)."""
    return " ".join(
        CONTROL_CHARS.sub(" ", html.unescape(TAG.sub(" ", text or ""))).split()
    )


def _paragraphs(markup: str) -> list[str]:
    parts = re.split(r"(?i)</p>|<br\s*/?>|\n\s*\n", markup or "")
    return [p for p in (_plain(part) for part in parts) if p]


def person_names(raw: str) -> list[str]:
    """The people an RSS ``<author>`` / ``<dc:creator>`` string names.

    RFC 822 forms are read with the standard library: ``mail (Name)`` and
    ``Name <mail>`` (feedparser's own parse truncates addresses whose top-level
    domain has more than four letters: ``editor@wire.example (Ana Costa)``
    became ``ple (Ana Costa``). A plain list is split at ``;``, ``,`` and
    " and ". What is left only if it is a name: an address alone, a fragment
    with unbalanced brackets, or fewer than two letters is dropped.
    """
    text = " ".join(CONTROL_CHARS.sub(" ", html.unescape(raw or "")).split())
    if not text:
        return []
    if "@" in text:
        pairs = email.utils.getaddresses([text])
        candidates = [name for name, _address in pairs]
    else:
        candidates = re.split(r"\s*;\s*|\s*,\s*|\s+and\s+", text)
    return [name for name in map(_person_name, candidates) if name]


def _person_name(candidate: str) -> str | None:
    name = " ".join(candidate.split()).strip(" '\"")
    if not name or "@" in name or "://" in name or len(name) > 80:
        return None
    for opening, closing in ("()", "[]", "<>", "{}"):
        if name.count(opening) != name.count(closing):
            return None
    if sum(c.isalpha() for c in name) < 2 or not name[0].isalpha():
        return None
    return name


def raw_authors(data: bytes) -> list[list[str]] | None:
    """The author strings of every item/entry of a feed, in document order,
    as written (before feedparser's own parse of them); None if the feed is
    not well-formed enough to read. Entities are not resolved and nothing is
    fetched: the feed is hostile."""
    parser = lxml.etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, load_dtd=False
    )
    try:
        root = lxml.etree.fromstring(data, parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    found: list[list[str]] = []
    for element in root.iter("{*}item", "{*}entry"):
        strings = []
        for child in element:
            if not isinstance(child.tag, str):
                continue
            local = lxml.etree.QName(child).localname
            if local in ("author", "creator"):
                names = [
                    lxml.etree.QName(part).localname
                    for part in child
                    if isinstance(part.tag, str)
                ]
                if "name" in names:  # Atom: <author><name>…</name></author>
                    strings += [
                        part.text or ""
                        for part in child
                        if isinstance(part.tag, str)
                        and lxml.etree.QName(part).localname == "name"
                    ]
                else:
                    strings.append(child.text or "")
        found.append(strings)
    return found


def article_from_entry(
    entry: Any, source: Source, raw: list[str] | None = None
) -> Article:
    """An entry as an article: the feed's own text, never a fetch of the page.

    ``raw`` are the entry's author strings as written in the feed; without
    them, feedparser's names are cleaned the same way.
    """
    content = entry.get("content") or []
    body = content[0].get("value", "") if content else ""
    summary = entry.get("summary", "")
    date, local_time = published([entry.get("published") or entry.get("updated")])
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    if date is None and when:
        date = dt.date(*when[:3])  # feedparser's reading, day only
    strings = raw if raw else [a.get("name", "") for a in entry.get("authors", [])]
    authors: list[str] = []
    for string in strings:
        for name in person_names(string):
            if name.casefold() not in {a.casefold() for a in authors}:
                authors.append(name)
    keywords = [t.get("term", "") for t in entry.get("tags", []) if t.get("term")]
    return Article(
        title=_plain(entry.get("title", "")),
        url=entry.get("link", ""),
        site_name=source.name,
        date=date,
        local_time=local_time,
        authors=authors,
        description=_plain(summary) if summary != body else "",
        keywords=keywords,
        paragraphs=_paragraphs(body or summary),
    )


def ingest_source(
    source: Source,
    catalogue: Catalogue,
    state: dict[str, dict[str, str]],
    *,
    now: dt.datetime,
    dry_run: bool = False,
    timeout: float = 15.0,
    allow_private_network: bool = False,
) -> SourceResult:
    """Fetch one feed and write a draft per new entry; never raises for bad input.

    The feed may be on a private network if the source or the run allows it.
    """
    result = SourceResult(source.name)
    feed = source.feed
    if feed is None:
        result.failed = "lists no feed to follow"
        return result
    known = state.get(feed)
    known = {
        k: v
        for k, v in (known if isinstance(known, dict) else {}).items()
        if isinstance(v, str) and v.isprintable()
    }
    try:
        response = fetch(
            feed,
            timeout=timeout,
            etag=known.get("etag"),
            last_modified=known.get("last_modified"),
            policy=(
                private_network
                if source.allow_private_network or allow_private_network
                else public_only
            ),
            opt_in=f"write 'allow_private_network: true' under '{source.name}' "
            "in sources.yml, or pass --allow-private-network",
        )
    except FetchError as error:
        result.failed = str(error)
        return result
    if response.not_modified:
        result.not_modified = True
        return result
    # Content-Location lets feedparser resolve relative entry links. The body
    # goes in as a stream: given bytes or a str, feedparser first tries them
    # as a file name (a feed answering "/dev/zero" would be opened and read)
    # and a str as a URL to fetch, past every check above.
    headers = {**response.headers, "content-location": response.url}
    parsed = feedparser.parse(io.BytesIO(response.body), response_headers=headers)
    usable = [e for e in parsed.entries if e.get("link") and e.get("title")]
    if parsed.bozo and not usable:
        reason = getattr(parsed.get("bozo_exception"), "getMessage", None)
        reason = (
            reason() if reason else str(parsed.get("bozo_exception", "unknown error"))
        )
        result.failed = f"{feed}: not a feed ({reason})"
        return result
    if not parsed.get("version") and not parsed.entries:
        result.failed = f"{feed}: not an RSS or Atom feed"
        return result
    raw = raw_authors(response.body)
    if raw is not None and len(raw) != len(parsed.entries):
        raw = None  # not the same entries: fall back to feedparser's names
    for number, entry in enumerate(parsed.entries):
        link = entry.get("link", "")
        if not is_absolute_http_url(link) or not _plain(entry.get("title", "")):
            logger.warning("%s: skipped an entry without a link or title", source.name)
            continue
        first = catalogue.duplicate_of(link)
        if first is not None:
            result.duplicates.append(
                f"{clean_url(link)} (already {catalogue.shown(first)})"
            )
            continue
        article = article_from_entry(entry, source, raw[number] if raw else None)
        draft, _notes = draft_from_article(
            article,
            catalogue,
            now=now,
            topic=source.topic,
            extra_tags=source.tags,
            timezone=source.timezone,
        )
        path = draft_path(catalogue.items_dir, draft)
        result.warnings += [
            f"{draft.title!r} is like {catalogue.shown(where)} ({title!r})"
            for title, where in catalogue.similar_titles(draft.title)
        ]
        if not dry_run:
            try:
                write_new(path, render(draft))
            except OSError as error:
                if not isinstance(error, DraftExists):
                    result.failed = (
                        f"cannot write {catalogue.shown(path)} ({error.strerror})"
                    )
                    return result
                result.duplicates.append(
                    f"{draft.source_url} (already {catalogue.shown(path)})"
                )
                continue
        catalogue.add_draft(path, draft)
        result.new.append(catalogue.shown(path))
    if not dry_run:
        remembered = {
            key: response.headers[header]
            for key, header in (("etag", "etag"), ("last_modified", "last-modified"))
            if response.headers.get(header)
        }
        if remembered:
            state[feed] = remembered
        else:
            state.pop(feed, None)
    return result


def ingest(
    catalogue: Catalogue,
    sources: list[Source],
    *,
    now: dt.datetime,
    dry_run: bool = False,
    timeout: float = 15.0,
    allow_private_network: bool = False,
) -> list[SourceResult]:
    """Every source in turn; the state file is saved after each, so an interrupted
    run does not refetch what it already turned into drafts.
    ``allow_private_network`` lets every source's feed be on a private network."""
    state = read_state(catalogue.root)
    results = []
    for source in sources:
        if source.feed is None:
            continue  # an outlet described for readers, not followed
        results.append(
            ingest_source(
                source,
                catalogue,
                state,
                now=now,
                dry_run=dry_run,
                timeout=timeout,
                allow_private_network=allow_private_network,
            )
        )
        if not dry_run:
            write_state(catalogue.root, state)
    return results

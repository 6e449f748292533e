"""``newsdigest add``: one article (URL, saved .html page, .txt capture) to a draft.

A second import of the same original is refused with the path of the first
(the check uses the normalised URL, so tracking parameters and ``www.`` do not
hide a duplicate); a nearly identical title only warns, because two outlets may
really report the same story.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from newsdigest.curate.article import Article, draft_from_article
from newsdigest.curate.capture import parse_capture
from newsdigest.curate.catalogue import Catalogue
from newsdigest.curate.drafts import Draft, DraftExists, draft_path, render, write_new
from newsdigest.curate.extract import ExtractError, extract_article
from newsdigest.curate.fetch import HTML_TYPES, FetchError, fetch
from newsdigest.curate.netguard import private_network, public_only
from newsdigest.model.sources import SOURCES_FILE, load_sources, source_timezone
from newsdigest.model.topics import find_topic, topic_choices
from newsdigest.urls import is_absolute_http_url, scheme_of

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5_000_000


class AddError(Exception):
    """An import refused; ``str()`` is the one line shown (names the input and why)."""


@dataclass
class Added:
    path: Path
    draft: Draft
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_target(
    target: str,
    *,
    url: str | None = None,
    timeout: float = 15.0,
    allow_private_network: bool = False,
) -> Article:
    """The article behind a URL or a saved file; ``url`` says where a file came from.

    A URL is fetched only from public internet addresses unless
    ``allow_private_network`` (``--allow-private-network``) says otherwise.
    """
    if scheme_of(target) is not None and not Path(target).exists():
        if not is_absolute_http_url(target):
            raise AddError(f"{target}: only http(s) addresses can be fetched")
        try:
            fetched = fetch(
                target,
                timeout=timeout,
                accept=HTML_TYPES,
                policy=private_network if allow_private_network else public_only,
            )
        except FetchError as error:
            raise AddError(str(error)) from None
        try:
            article = extract_article(
                fetched.body, fetched.url, encoding=fetched.charset
            )
        except ExtractError as error:
            raise AddError(f"{target}: {error}") from None
        article.url = url or article.url or fetched.url
        return article
    path = Path(target)
    if not path.is_file():
        raise AddError(f"{target}: no such file, and not an http(s) URL")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise AddError(f"{target}: is larger than {MAX_FILE_BYTES:,} bytes")
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml"):
        try:
            article = extract_article(path.read_bytes(), url or "")
        except ExtractError as error:
            raise AddError(f"{target}: {error}") from None
    elif suffix in (".txt", ".text", ""):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AddError(f"{target}: is not UTF-8 text") from None
        article = parse_capture(text)
        if not article.title:
            raise AddError(f"{target}: no title found (no headline-shaped line)")
    else:
        raise AddError(
            f"{target}: unknown kind of file; use .html for a saved page or .txt"
        )
    if url:
        article.url = url
    if not article.url:
        raise AddError(
            f"{target}: the file does not say where it was published; pass --url URL"
        )
    return article


def declared_timezone(catalogue: Catalogue, url: str) -> str | None:
    """The timezone ``content/sources.yml`` declares for the outlet on ``url``'s
    host, if any (a broken sources file is ``ingest``'s to report)."""
    path = catalogue.content / SOURCES_FILE
    if not url or not path.is_file():
        return None
    sources, _problems = load_sources(path, catalogue.shown(path), catalogue.topics)
    return source_timezone(sources, url)


def add(
    catalogue: Catalogue,
    target: str,
    *,
    now: dt.datetime,
    topic: str | None = None,
    url: str | None = None,
    source: str | None = None,
    tags: list[str] | None = None,
    timeout: float = 15.0,
    allow_private_network: bool = False,
) -> Added:
    """Import ``target`` into the catalogue's project as a draft, or raise AddError."""
    if url is not None and not is_absolute_http_url(url):
        raise AddError(f"{url}: --url must be an absolute http(s) URL")
    if topic is not None:
        found = find_topic(catalogue.topics, topic)
        if found is None:
            raise AddError(
                f"{target}: topic '{topic}' is not declared in content/topics.yml "
                f"(use one of: {topic_choices(catalogue.topics)})"
            )
        topic = found.slug
    article = read_target(
        target, url=url, timeout=timeout, allow_private_network=allow_private_network
    )
    for candidate in {article.url, target if is_absolute_http_url(target) else ""}:
        first = catalogue.duplicate_of(candidate) if candidate else None
        if first is not None:
            raise AddError(
                f"{target}: already in the digest as {catalogue.shown(first)}"
            )
    draft, notes = draft_from_article(
        article,
        catalogue,
        now=now,
        topic=topic,
        extra_tags=tags,
        source=source,
        timezone=declared_timezone(catalogue, article.url),
    )
    warnings = [
        f"a similar title is already in the digest: {catalogue.shown(path)} ({title!r})"
        for title, path in catalogue.similar_titles(draft.title)
    ]
    path = draft_path(catalogue.items_dir, draft)
    try:
        write_new(path, render(draft))
    except DraftExists:
        raise AddError(f"{target}: {catalogue.shown(path)} already exists") from None
    except OSError as error:
        raise AddError(
            f"{target}: cannot write {catalogue.shown(path)} ({error.strerror})"
        ) from None
    catalogue.add_draft(path, draft)
    return Added(path, draft, notes, warnings)

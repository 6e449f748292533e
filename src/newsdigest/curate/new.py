"""``newsdigest new``: an empty draft with every front matter key in place.

The draft validates as soon as it is written (so a development build keeps
working while the curator writes): keys the curator did not give get
placeholder values that say what to write, and a missing ``source_url`` gets a
unique address under ``example.invalid`` (a reserved domain that never
resolves), so two unfinished drafts never collide as duplicates. The values are
those of ``newsdigest.model.placeholders``, the list the build checks: a production
build refuses an item that still holds one.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from newsdigest.curate.article import unique_slug
from newsdigest.curate.catalogue import Catalogue
from newsdigest.curate.drafts import (
    Draft,
    DraftExists,
    draft_path,
    render,
    slugify,
    write_new,
)
from newsdigest.model.placeholders import BODY, FIELDS, placeholder_url
from newsdigest.model.topics import find_topic, topic_choices
from newsdigest.urls import clean_url, is_absolute_http_url

logger = logging.getLogger(__name__)


class NewError(ValueError):
    """The draft cannot be created; ``str()`` is the one line shown."""


def new_draft(
    catalogue: Catalogue,
    title: str,
    *,
    topic: str,
    now: dt.datetime,
    source: str | None = None,
    url: str | None = None,
    tags: list[str] | None = None,
) -> tuple[Path, list[str]]:
    """Write the draft; return its path and the keys still holding placeholders."""
    title = " ".join(title.split())
    if not title:
        raise NewError("the title is empty")
    found = find_topic(catalogue.topics, topic)
    if found is None:
        raise NewError(
            f"topic '{topic}' is not declared in content/topics.yml "
            f"(use one of: {topic_choices(catalogue.topics) or 'none declared'})"
        )
    topic = found.slug
    if url is not None and not is_absolute_http_url(url):
        raise NewError(f"{url}: --url must be an absolute http(s) URL")
    if url and (first := catalogue.duplicate_of(url)) is not None:
        raise NewError(f"{url}: already in the digest as {catalogue.shown(first)}")
    slug = unique_slug(slugify(title), catalogue)
    placeholders = ["summary", "body"]
    if not source:
        placeholders.append("source")
    if not url:
        placeholders.append("source_url")
    draft = Draft(
        title=title,
        slug=slug,
        topic=topic,
        date=now,
        summary=FIELDS["summary"],
        source=" ".join(source.split()) if source else FIELDS["source"],
        source_url=clean_url(url) if url else placeholder_url(f"{now:%Y-%m-%d}-{slug}"),
        tags=[catalogue.tag(t) or " ".join(t.split()) for t in tags or [] if t.strip()],
        body=BODY,
    )
    path = draft_path(catalogue.items_dir, draft)
    try:
        write_new(path, render(draft))
    except DraftExists:
        raise
    except OSError as error:
        raise NewError(
            f"cannot write {catalogue.shown(path)} ({error.strerror})"
        ) from None
    return path, placeholders

"""Draft items: rendered with every front matter key, written without ever losing work.

A curator's file is the only copy of their work, so a draft is written to a
temporary file in the same folder and linked into place: the final name either
does not exist or holds the complete text, and an existing file is never
replaced. The slug is written into the front matter at creation, so editing the
headline later does not move the item's address.

Everything an import took from a page or a feed is hostile. In the front matter
it is a YAML scalar written by PyYAML's own emitter (quoted and escaped as
needed, so it reads back as exactly the same string); notes for the curator go
in ``curator_notes``, a key the schema accepts and never hands to Pelican, so no
note can reach a page or a feed whatever it contains; in the body it is escaped
Markdown text (``markdown_text``), so it can only ever be text.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from newsdigest.filemodes import PUBLIC_DIR, PUBLIC_FILE, make_dirs, write_new_file

logger = logging.getLogger(__name__)

SLUG_MAX = 60
# Front matter keys in the order a curator reads them (README, "Writing an item").
KEY_ORDER = (
    "title",
    "slug",
    "date",
    "status",
    "topic",
    "summary",
    "source",
    "source_url",
    "source_date",
    "authors",
    "label",
    "tags",
    "image",
    "lang",
    "curator_notes",
)
# Characters that make inline Markdown anywhere in a line: links, images and
# reference definitions ([ ]), emphasis and code (* _ `), attribute lists and
# Pelican's {filename}/{static} prefixes ({ }), and the escape itself. Each has
# a Python-Markdown backslash escape; & and < have none, so they become
# character references (no raw HTML, entity or autolink).
_INLINE = re.compile(r"([\\`*_{}\[\]])")
# What starts a block when it opens a line: headings, quotes, lists, tables,
# definitions, fences, setext rules, numbered lists ("1." and "1)").
# The marker becomes a character reference: Markdown has no backslash escape
# for some of them (: ~ =), and a reference never opens a block.
_BLOCK_START = re.compile(r"^(?:\d+(?P<number>[.)])(?= |$)|(?P<marker>[#>+\-=|:~]))")


class DraftExists(FileExistsError):
    """The draft's path is taken; the curator's file there is left alone."""


@dataclass
class Draft:
    """An item to be written with ``status: draft``; field names follow the schema."""

    title: str
    topic: str
    date: dt.datetime
    summary: str
    source: str
    source_url: str
    slug: str = ""
    source_date: dt.date | dt.datetime | None = None
    authors: list[str] = field(default_factory=list)
    label: str = "news"
    tags: list[str] = field(default_factory=list)
    image: dict[str, str] | None = None
    lang: str | None = None
    body: str = ""
    #: For the curator only: in front matter the reader never publishes.
    notes: list[str] = field(default_factory=list)

    def front_matter(self) -> dict[str, Any]:
        """Every key of the contract, empty optional ones included, so a curator
        sees what can be filled in (empty values are valid: the schema skips them)."""
        date = self.date.replace(microsecond=0)
        values: dict[str, Any] = {
            "title": self.title,
            "slug": self.slug or slugify(self.title),
            "date": date.isoformat(),
            "status": "draft",
            "topic": self.topic,
            "summary": self.summary,
            "source": self.source,
            "source_url": self.source_url,
            "source_date": _iso(self.source_date),
            "authors": list(self.authors),
            "label": self.label,
            "tags": list(self.tags),
            "image": dict(self.image) if self.image else None,
            "lang": self.lang,
            "curator_notes": list(self.notes),
        }
        if not self.notes:
            del values["curator_notes"]
        return {key: _one_line(values[key]) for key in KEY_ORDER if key in values}


def _one_line(value: Any) -> Any:
    """Collapse whitespace in every text value: the schema wants one-line values,
    and a line break could put a bare ``---`` line inside the front matter."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_one_line(v) for v in value]
    if isinstance(value, dict):
        return {k: _one_line(v) for k, v in value.items()}
    return value


def markdown_text(text: str) -> str:
    """``text`` as one line of Markdown that renders as that text, never markup.

    Written here rather than taken from a library because no maintained package
    escapes for Python-Markdown with the site's extensions. Only what can make
    markup is escaped, so the draft stays readable for the curator who edits it
    (``3.5`` stays ``3.5``); line breaks become spaces, so no block can start
    inside, and a block marker at the start is escaped, so the text is safe at
    the start of a line too; runs of hyphens are escaped, so ``-->`` is not made
    a dash. SmartyPants still curls straight quotes, as in any text of ours."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    text = _INLINE.sub(r"\\\1", text)
    # SmartyPants would make "--" a dash: "-->" in a quote stays as published.
    text = re.sub(r"-{2,}", lambda m: "\\-" * len(m.group()), text)
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    start, end = match.span(match.lastgroup or 0)
    return f"{text[:start]}&#{ord(text[start])};{text[end:]}"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def slugify(title: str, max_length: int = SLUG_MAX) -> str:
    """A slug matching the schema's rule: ASCII lowercase words joined by hyphens.

    Accents are folded (``Genève`` -> ``geneve``); apostrophes join words
    (``Russia's`` -> ``russias``); long titles are cut at a word boundary.
    """
    ascii_text = (
        unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    )
    ascii_text = re.sub(r"['\u2019]", "", ascii_text.lower())
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "item")


def render(draft: Draft) -> str:
    """The file text: YAML front matter between ``---`` lines, then the body."""
    front = yaml.safe_dump(
        draft.front_matter(),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        # One line per key: easier to read and edit than wrapped YAML scalars.
        width=float("inf"),
    )
    body = draft.body.strip("\n")
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


def draft_path(items_dir: Path, draft: Draft) -> Path:
    """``content/items/<date>-<slug>.md``, as the sample items are named."""
    slug = draft.slug or slugify(draft.title)
    return items_dir / f"{draft.date:%Y-%m-%d}-{slug}.md"


def write_new(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically, refusing to replace an existing file.

    The text goes to a temporary file beside ``path`` (same filesystem), is
    flushed to disk, then hard-linked to the final name: ``link`` fails if the
    name exists, so a file a curator wrote meanwhile is never overwritten, and a
    crash leaves either nothing or the whole draft.
    """
    make_dirs(path.parent, PUBLIC_DIR)
    if path.exists():
        raise DraftExists(f"{path} already exists; it was left as it is.")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".draft-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), PUBLIC_FILE)  # a source file: 0644
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise DraftExists(f"{path} already exists; it was left as it is.") from None
        except OSError:
            # Filesystems without hard links: exclusive create, then copy.
            write_new_file(path, text, PUBLIC_FILE)
    finally:
        Path(tmp).unlink(missing_ok=True)
    logger.debug("wrote draft %s", path)
    return path

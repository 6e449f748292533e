"""The published items of a project, as the link tools see them.

Read leniently, like the curate catalogue: a file that does not parse is
named as a failure and the others go on (the build reports what is wrong).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsdigest.model.frontmatter import FrontMatterError, read_source, split
from newsdigest.model.staticfiles import symlink_in_path
from newsdigest.urls import is_absolute_http_url


@dataclass(frozen=True)
class LinkedItem:
    """One item file and the addresses the link tools care about."""

    path: Path
    key: str  # relative to the content folder, as in links.yml: items/x.md
    source_url: str
    archive_url: str | None = None


@dataclass(frozen=True)
class Unreadable:
    """An item file whose front matter cannot be read."""

    key: str
    reason: str


def published_items(content: Path) -> Iterator[LinkedItem | Unreadable]:
    """Every published item under ``content/items``, sorted by path."""
    folder = content / "items"
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*.md")):
        key = path.relative_to(content).as_posix()
        if symlink_in_path(content, key) or not path.is_file():
            continue  # an edit through a link would change a file outside content/
        try:
            meta = split(read_source(path, key), key).metadata
        except FrontMatterError as error:
            yield Unreadable(key, str(error.problems[0]))
            continue
        if meta.get("status", "published") != "published":
            continue
        url = meta.get("source_url")
        if not isinstance(url, str) or not is_absolute_http_url(url.strip()):
            yield Unreadable(key, "has no valid source_url")
            continue
        archived = meta.get("archive_url")
        yield LinkedItem(
            path, key, url.strip(), archived if isinstance(archived, str) else None
        )

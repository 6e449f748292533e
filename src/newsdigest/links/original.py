"""Which address a page, a feed or an email offers as "the original".

The original's own address, until ``linkcheck`` found it gone (the build marks
such an item ``link_gone`` from ``content/links.yml``) and a snapshot exists:
then the snapshot. Every output asks here, so the item page, the feeds, the
JSON-LD and the edition email never disagree.
"""

from __future__ import annotations

from typing import Any


def archive_url(item: Any) -> str | None:
    """The item's snapshot (``archive_url``), if it has one."""
    return getattr(item, "archive_url", None) or None


def original_gone(item: Any) -> bool:
    return bool(getattr(item, "link_gone", False))


def read_url(item: Any) -> str:
    """Where "Read the original" leads: the snapshot once the original is gone."""
    snapshot = archive_url(item)
    return snapshot if snapshot and original_gone(item) else item.source_url

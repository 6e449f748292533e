"""The order items are listed in, everywhere: newest first, ties stable.

Pelican sorts articles with ``ARTICLE_ORDER_BY``; the publish settings set it
to ``order_key`` and anything else that lists items (feeds, editions) sorts
the same way, so two items published at the same moment never swap places
between pages or between builds.
"""

from __future__ import annotations

from typing import Any


def order_key(content: Any) -> tuple[float, str]:
    """Newest first; items published at the same moment keep a stable order."""
    return (-content.date.timestamp(), getattr(content, "item_id", content.source_path))

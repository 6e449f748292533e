"""The moment a build happens, when it must not be the wall clock.

Reproducible builds pin it: ``DIGEST_PUBLISH["build_date"]``, else the
``SOURCE_DATE_EPOCH`` convention. Feeds, sitemaps and the OPML file need a
date even when nothing pins one (the newest item's change, else the epoch);
the publishing rules (which items wait for their date) fall back to now.
One module answers both, so the feeds and the schedule never disagree on
what "now" is.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from newsdigest.dates import parse_build_date
from newsdigest.settings import publish_config

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def pinned_build_date(settings: dict[str, Any]) -> dt.datetime | None:
    """The pinned build date, or None. ``DIGEST_PUBLISH`` is checked on first
    use, so a malformed ``build_date`` stops the build with its key and fix,
    with or without the publish plugin."""
    configured = publish_config(settings)["build_date"]
    if configured:
        return parse_build_date(configured)  # checked by publish_settings
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return None


def configured_build_date(settings: dict[str, Any], articles: list[Any]) -> dt.datetime:
    """A date that does not depend on the wall clock: settings, SOURCE_DATE_EPOCH,
    else the newest item's change, else the Unix epoch."""
    pinned = pinned_build_date(settings)
    if pinned is not None:
        return pinned
    dates = [getattr(a, "updated", None) or a.date for a in articles]
    return max(dates) if dates else EPOCH


def schedule_date(
    settings: dict[str, Any], now: dt.datetime | None = None
) -> dt.datetime:
    """The moment items are published against: the pinned date, else now."""
    return pinned_build_date(settings) or now or dt.datetime.now(dt.UTC)

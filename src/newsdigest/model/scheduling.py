"""When an item is published: drafts and items dated in the future (the rules).

This is the library, on plain settings and items; ``newsdigest.plugins.schedule``
is the Pelican plugin that only connects these rules to the build.

Curators prepare items ahead (``status: draft``, or a ``date`` in the future). A
production build must never publish them; a development build previews them
under ``drafts/`` so the curator can read the page before it goes out. Whether a
build is for production is read from its ``SITEURL``: an absolute ``http(s)``
address is a site readers visit (``publishconf.py``); an empty or relative one
is a local preview (``pelicanconf.py``). ``DIGEST_SCHEDULE["drafts"]`` can force
either. Items wait against the build date: ``DIGEST_PUBLISH["build_date"]``,
else ``SOURCE_DATE_EPOCH``, else the clock, so a pinned build is reproducible
and an unpinned one publishes each item on the first build on or after its date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from newsdigest.dates import iso
from newsdigest.problems import Report
from newsdigest.settings import (
    Config,
    feature_config,
    merge,
    raise_if_errors,
    setting_problem,
)
from newsdigest.urls import is_absolute_http_url

SCHEDULE_DEFAULTS: dict[str, Any] = {
    # "auto": preview drafts in development builds (SITEURL empty or relative),
    # leave them out of production builds (absolute SITEURL); or "preview"/"omit".
    "drafts": "auto",
}
DRAFT_MODES = ("auto", "preview", "omit")


def schedule_settings(settings: dict[str, Any]) -> dict[str, Any]:
    report = Report()
    config = merge("DIGEST_SCHEDULE", SCHEDULE_DEFAULTS, settings, report)
    if config["drafts"] not in DRAFT_MODES:
        report.add(
            setting_problem(
                "DIGEST_SCHEDULE",
                "drafts",
                f"{config['drafts']!r} is not a mode.",
                "Use 'auto' (preview in development, omit in production), "
                "'preview' or 'omit'.",
            )
        )
    raise_if_errors(report, "DIGEST_SCHEDULE is invalid")
    return config


def schedule_config(settings: dict[str, Any]) -> Config:
    """``DIGEST_SCHEDULE``, checked once per run."""
    return feature_config(settings, "DIGEST_SCHEDULE", schedule_settings)


def previews_drafts(config: dict[str, Any], siteurl: str) -> bool:
    """True when drafts and waiting items are built under drafts/ to preview."""
    if config["drafts"] == "auto":
        return not is_absolute_http_url(siteurl or "")
    return config["drafts"] == "preview"


def is_production(settings: dict[str, Any]) -> bool:
    """A build whose pages readers see: the one that leaves drafts out (an
    absolute SITEURL, as in publishconf.py, unless DIGEST_SCHEDULE says
    otherwise). It also refuses placeholders (``newsdigest.model.placeholders``)."""
    return not previews_drafts(schedule_config(settings), settings.get("SITEURL", ""))


def split_waiting(
    items: Iterable[Any], when: dt.datetime
) -> tuple[list[Any], list[Any]]:
    """(items published at ``when``, items dated after it), order kept."""
    ready: list[Any] = []
    waiting: list[Any] = []
    for item in items:
        (waiting if item.date > when else ready).append(item)
    return ready, waiting


def waiting_line(item: Any, shown_path: str) -> str:
    return (
        f"waiting: {shown_path} ({item.title}) is dated {iso(item.date)}; "
        "a build on or after that date publishes it."
    )


def preview_base(settings: dict[str, Any]) -> str:
    """Where the development server shows the site (feeds use the same base)."""
    siteurl = settings.get("SITEURL") or ""
    if is_absolute_http_url(siteurl):
        return siteurl
    return (settings.get("DIGEST_FEEDS") or {}).get(
        "base_url"
    ) or "http://127.0.0.1:8000"


def preview_line(item: Any, base: str) -> str:
    return f"draft preview: {item.title} -> {base.rstrip('/')}/{item.url}"

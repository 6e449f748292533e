"""Checks of a built site folder: links, anchors, assets, feeds and HTML.

Pelican writes whatever the templates and content say; these checks read the
output the way browsers, feed readers and the production server will, so a
curator learns about a broken link, a missing image or an invalid feed before
readers do. Each check is a function ``check_xxx(site) -> list[Problem]`` over
one shared ``Site`` index.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from newsdigest.problems import Problem, Report
from newsdigest.sitecheck.anchors import check_anchors
from newsdigest.sitecheck.assets import check_assets
from newsdigest.sitecheck.feeds import check_feeds
from newsdigest.sitecheck.html import check_html
from newsdigest.sitecheck.links import check_links
from newsdigest.sitecheck.site import Site
from newsdigest.sitecheck.sitemaps import check_sitemaps

log = logging.getLogger(__name__)

CHECKS: dict[str, Callable[[Site], list[Problem]]] = {
    "links": check_links,
    "anchors": check_anchors,
    "assets": check_assets,
    "feeds": check_feeds,
    "html": check_html,
    "sitemaps": check_sitemaps,
}

__all__ = [
    "CHECKS",
    "Site",
    "check_anchors",
    "check_assets",
    "check_feeds",
    "check_html",
    "check_links",
    "check_site",
    "check_sitemaps",
]


def check_site(
    site_dir: Path, *, site_url: str = "", checks: Iterable[str] | None = None
) -> Report:
    """Run the named checks (default: all) over the built site in ``site_dir``.

    ``site_url`` is the production base URL (SITEURL); absolute links starting
    with it are internal. Use "" for a development build with relative URLs.
    """
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        raise NotADirectoryError(f"no built site at {site_dir}")
    names = list(CHECKS) if checks is None else list(checks)
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        raise ValueError(
            f"unknown site check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}"
        )
    site = Site(site_dir, site_url)
    if {"links", "anchors", "assets", "html"} & set(names):
        site.preload(parse_errors="html" in names)
    report = Report()
    for name in names:
        started = time.perf_counter()
        report.extend(CHECKS[name](site))
        log.info("%s check took %.2fs", name, time.perf_counter() - started)
    return report

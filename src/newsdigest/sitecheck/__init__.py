"""Checks of a built site: links, anchors, assets, feeds, HTML and sitemaps.

Pelican writes whatever the templates and content say; these checks read the
output the way browsers, feed readers and the production server will, so a
curator learns about a broken link, a missing image or an invalid feed before
readers do. During a build each page is checked from the string the writer
writes (``newsdigest.plugins.writer``) and the links are resolved at the end
(``check_build``); ``check_site`` checks a folder already on disk with the same
rules, plus the full HTML5 parser.
"""

from __future__ import annotations

from newsdigest.sitecheck.checker import (
    CHECKS,
    SiteChecker,
    attach_checker,
    attached_checker,
    check_build,
    check_site,
)
from newsdigest.sitecheck.site import Site
from newsdigest.sitecheck.sitemaps import check_sitemaps

__all__ = [
    "CHECKS",
    "Site",
    "SiteChecker",
    "attach_checker",
    "attached_checker",
    "check_build",
    "check_site",
    "check_sitemaps",
]

"""Links to ``page#section`` must find the section.

Digest issues link to each other's stories by anchor; when a story is renamed
the link still "works" but drops the reader at the top of a long page. A
fragment is found by an ``id`` anywhere in the target page or an ``<a name>``.
"""

from __future__ import annotations

import logging

from newsdigest.problems import ERROR, Problem
from newsdigest.sitecheck.links import hyperlink_url
from newsdigest.sitecheck.site import HTML_SUFFIXES, Kind, Site

log = logging.getLogger(__name__)

CHECK = "anchors"
#: Fragments every browser understands without a matching id.
BUILTIN_FRAGMENTS = frozenset({"", "top"})


def check_anchors(site: Site) -> list[Problem]:
    """Every ``#fragment`` of an internal link exists in the page it points to."""
    problems: list[Problem] = []
    for path in site.html_paths:
        for element in site.page(path).elements:
            url = hyperlink_url(element)
            if url is None:
                continue
            target = site.resolve(url, path)
            if target.kind is not Kind.INTERNAL or target.fragment is None:
                continue
            if target.fragment.lower() in BUILTIN_FRAGMENTS:
                continue
            found = site.lookup(target.path)
            if found is None or not found.lower().endswith(HTML_SUFFIXES):
                continue  # missing pages are the links check's business
            if target.fragment in site.page(found).ids:
                continue
            problems.append(
                Problem(
                    path=path,
                    line=element.line,
                    field=f"{element.tag}[href]",
                    message=f"link {url!r}: no element with id "
                    f"{target.fragment!r} in {found}",
                    fix="Link to an existing id, or add the id to the target page.",
                    severity=ERROR,
                    check=CHECK,
                )
            )
    log.debug("anchors: %d problems", len(problems))
    return problems

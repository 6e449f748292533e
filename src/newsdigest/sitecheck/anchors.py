"""Links to ``page#section`` must find the section.

Digest issues link to each other's stories by anchor; when a story is renamed
the link still "works" but drops the reader at the top of a long page. A
fragment is found by an ``id`` anywhere in the target page or an ``<a name>``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from newsdigest.problems import ERROR, Problem
from newsdigest.sitecheck.page import HTML_SUFFIXES
from newsdigest.sitecheck.site import Kind, Ref, Site, Target

log = logging.getLogger(__name__)

CHECK = "anchors"
#: Fragments every browser understands without a matching id.
BUILTIN_FRAGMENTS = frozenset({"", "top"})


def anchor_problem(
    site: Site,
    path: str,
    ref: Ref,
    target: Target,
    ids_of: Callable[[str], Collection[str]],
) -> Problem | None:
    """The ``#fragment`` of the hyperlink ``ref`` in ``path`` must exist where it
    points; ``ids_of(page)`` gives the ids of a page of the site."""
    if target.kind is not Kind.INTERNAL or target.fragment is None:
        return None
    if target.fragment.lower() in BUILTIN_FRAGMENTS:
        return None
    found = site.lookup(target.path)
    if found is None or not found.lower().endswith(HTML_SUFFIXES):
        return None  # missing pages are the links check's business
    if target.fragment in ids_of(found):
        return None
    return Problem(
        path=path,
        line=ref.line,
        field=ref.field,
        message=f"link {ref.url!r}: no element with id {target.fragment!r} in {found}",
        fix="Link to an existing id, or add the id to the target page.",
        severity=ERROR,
        check=CHECK,
    )

"""How names become one spelling and one address: tags, outlets, titles.

Curators type "NATO", "nato " and "Nato"; the site shows one spelling (the
most used) and one page. The address a name gets is the slug Pelican's
``URLWrapper`` gives it, so the whole-site checks (two names, one address)
and the pages Pelican writes agree. No Pelican import: ``slugify`` below is
Pelican 4.12's own algorithm (``pelican.utils.slugify``), kept equal to it by
``tests/test_spellings.py``, so library code and plugins share it without a
plugin importing another.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import unidecode
from markupsafe import Markup

from newsdigest.model.schema import tag_key


def canonical_spellings(names: list[str]) -> dict[str, str]:
    """For each case-folded name, the most used spelling (ties: sorted first)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for name in names:
        counts[tag_key(name)][name] += 1
    return {
        key: sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for key, counter in counts.items()
    }


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def slugify(
    value: str,
    regex_subs: Iterable[tuple[str, str]] = (),
    preserve_case: bool = False,
    use_unicode: bool = False,
) -> str:
    """Pelican's slug of ``value``: tags stripped, NFKC, ASCII unless
    ``use_unicode``, the regex substitutions, lower case unless told."""
    value = _nfkc(Markup(value).striptags())
    if not use_unicode:
        value = unidecode.unidecode(value)
    for src, dst in regex_subs:
        value = re.sub(_nfkc(src), _nfkc(dst), value, flags=re.IGNORECASE)
    if not preserve_case:
        value = value.lower()
    return value.strip()


def title_slug(title: str, settings: dict[str, Any]) -> str:
    """The slug of an item or page without a ``slug`` key, from its title."""
    return slugify(title, regex_subs=settings["SLUG_REGEX_SUBSTITUTIONS"])


def url_slug(name: str, kind: str, settings: dict[str, Any]) -> str:
    """The slug Pelican's URLWrapper (Tag, Source, ...) gives ``name``."""
    return slugify(
        name,
        regex_subs=settings.get(
            f"{kind}_REGEX_SUBSTITUTIONS", settings.get("SLUG_REGEX_SUBSTITUTIONS", [])
        ),
        preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )

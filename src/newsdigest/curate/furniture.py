"""Site furniture around a headline, and the outlet's own name.

Outlets put their name, a section and a date around the headline in
``<title>`` and ``og:title`` ("Uncork the mystery of Germany's Frühburgunder |
DW | 10.06.2013"). A draft's title and slug must be the headline alone, and its
``source`` the outlet's name as the outlet writes it ("DW", not "DW.COM").

Pure functions over strings, so every rule has a table test. The rules work on
the *shape* of a title, not one outlet's wording: a title is cut at the
separators outlets use, and only end segments that are recognisably furniture
(the outlet's name in any of its spellings, the host, a date, a section) are
dropped; an unrecognised segment is kept, because a wrong cut costs the curator
more than a suffix left in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from tld import Result, get_tld

# Bars, hyphens, en and em dashes, "::", middle dots, slashes, bullets,
# guillemets and tildes, with spaces around: hyphenated words and dates
# ("2019/06/20") never split.
SEPARATOR = re.compile(
    r"\s+(?:\||-{1,2}|\u2013|\u2014|::|\u00b7|/|\u2022|\u00bb|\u203a|~)\s+"
)
# 10.06.2013, 2019-06-20, 20/06/2019, "June 20, 2019", "20 juin 2019", "20. Juni 2019".
_MONTH_WORD = r"[^\W\d_]{3,10}\.?"
DATE_SEGMENT = re.compile(
    r"^(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
    r"|\d{4}[./-]\d{1,2}[./-]\d{1,2}"
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH_WORD}\s+(?:de\s+)?\d{{4}}"
    rf"|{_MONTH_WORD}\s+\d{{1,2}},?\s+\d{{4}}"
    r")(?:[\s,-]+\d{1,2}[:.h]\d{2}(?:\s*(?:[ap]\.?m\.?|uhr|h|[A-Z]{3,4}))?)?$",
    re.IGNORECASE,
)
# Section words outlets put in titles, in the six languages imports support.
GENERIC_SECTIONS = frozenset(
    {
        "news",
        "latest news",
        "breaking news",
        "world",
        "world news",
        "politics",
        "business",
        "science",
        "opinion",
        "nachrichten",
        "aktuell",
        "politik",
        "wirtschaft",
        "wissenschaft",
        "meinung",
        "actualités",
        "actualite",
        "actualité",
        "international",
        "politique",
        "économie",
        "sciences",
        "noticias",
        "internacional",
        "política",
        "economía",
        "ciencia",
        "opinión",
        "notícias",
        "mundo",
        "economia",
        "ciência",
        "opinião",
        "notizie",
        "esteri",
        "politica",
        "cronaca",
        "scienze",
        "opinioni",
        "ultima ora",
        "ultime notizie",
        "últimas noticias",
        "últimas notícias",
        "breaking",
        "live",
        "en direct",
        "en vivo",
        "ao vivo",
        "in diretta",
        "top stories",
        "startseite",
        "accueil",
        "inicio",
        "início",
        "homepage",
    }
)
MAX_SEGMENTS = 12  # a real title has a few; more is not worth a quadratic search
# Articles an outlet's name may drop in a title ("The Guardian" -> "Guardian").
NAME_ARTICLES = ("the ", "der ", "die ", "le ", "la ", "el ", "il ", "o ", "a ")
# Leading host labels that name a service, not the outlet (www.dw.com, m.faz.net).
SERVICE_LABELS = frozenset({"www", "www2", "m", "mobile", "amp", "news", "edition"})


def fold(text: str) -> str:
    """Letters and digits only, accents and case folded: "EL PAÍS" -> "elpais"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def host_label(url: str) -> str:
    """The registrable name of a host without its public suffix
    ("www.bbc.co.uk" -> "bbc", "dw.com" -> "dw"); "" if there is no host."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""
    if not host:
        return ""
    found = get_tld(f"http://{host}", as_object=True, fail_silently=True)
    if isinstance(found, Result) and found.domain:
        return found.domain
    # Unknown suffixes (.example, .local, .test): the label before the last dot.
    labels = host.split(".")
    return labels[-2] if len(labels) >= 2 else labels[0]


def _is_domain_like(name: str) -> bool:
    return bool(re.fullmatch(r"(?:[\w-]+\.)+[a-z]{2,}", name, re.IGNORECASE))


def _strip_suffix(name: str) -> str:
    """ "DW.COM" -> "DW", "www.lemonde.fr" -> "lemonde"."""
    labels = [p for p in name.split(".") if p.casefold() not in SERVICE_LABELS]
    return labels[0] if labels else name


def outlet_name(site_names: Iterable[str | None], url: str, title: str = "") -> str:
    """The outlet as it names itself, from ``og:site_name`` / JSON-LD publisher
    (in that order), else from the host.

    A site name that is only a shouted domain ("DW.COM") is the outlet's name
    plus a suffix: the name is the spelling the page's own title uses for the
    host ("| DW |") or the bare label ("DW"). A styled domain ("Phys.org") is
    the brand and is kept. Without any name, the host gives one: a title
    segment spelling it ("EL PAÍS" for elpais.com), else the label, upper case
    when short (an acronym: "DW", "BBC"), capitalised otherwise ("Reuters").
    """
    label = host_label(url)
    segments = [s.strip() for s in SEPARATOR.split(title) if s.strip()]
    styled = next(
        (s for s in reversed(segments) if label and fold(s) == fold(label)), ""
    )
    for raw in site_names:
        name = " ".join((raw or "").split())
        if not name:
            continue
        if not _is_domain_like(name):
            # "Le Monde.fr": a name with the domain's suffix glued on.
            glued = re.fullmatch(r"(.+\s.+?)\.([a-z]{2,6})", name)
            if glued and _is_suffix(glued.group(2)):
                return glued.group(1)
            return name  # "Folha de S.Paulo" keeps its dot
        if name.isupper() or name.islower():
            return styled or (
                _strip_suffix(name).upper()
                if name.isupper()
                else _readable(_strip_suffix(name))
            )
        return name
    if styled:
        return styled
    if not label:
        return "unknown source"
    return _readable(label)


def _is_suffix(text: str) -> bool:
    """Whether ``text`` is a public suffix ("fr", "com"), per the tld package."""
    return get_tld(f"http://example.{text}", fail_silently=True) is not None


def _readable(label: str) -> str:
    if len(label) <= 3:
        return label.upper()
    return "-".join(part[:1].upper() + part[1:] for part in label.split("-"))


def is_furniture(
    segment: str, names: Iterable[str], sections: Iterable[str] = ()
) -> bool:
    """Whether one title segment is the outlet's name, a date or a section."""
    text = " ".join(segment.split())
    key = fold(text)
    if not key:
        return True
    if DATE_SEGMENT.match(text):
        return True
    variants = [
        *names,
        *(n.split(" ", 1)[1] for n in names if n.casefold().startswith(NAME_ARTICLES)),
    ]
    for name in variants:
        folded = fold(name)
        if folded and (
            key == folded
            or key == fold(_strip_suffix(name))
            or (_is_domain_like(text) and fold(_strip_suffix(text)) == folded)
        ):
            return True
    folded_sections = {fold(s) for s in sections} | {fold(s) for s in GENERIC_SECTIONS}
    return key in folded_sections


def clean_headline(
    title: str,
    *,
    names: Iterable[str] = (),
    sections: Iterable[str] = (),
    references: Iterable[str | None] = (),
) -> str:
    """``title`` without the outlet's name, section and date around it.

    ``names`` are every spelling of the outlet known (site name, publisher,
    host label); ``sections`` the page's sections; ``references`` headlines
    without furniture when the page has them (the visible ``<h1>``, JSON-LD
    ``headline``): a title that is a reference plus separators and more text is
    cut to the reference. Otherwise end segments that are furniture go, one at
    a time from both ends, and at least one segment always stays.
    """
    title = " ".join(title.split())
    names = [n for n in names if n and n.strip()]
    sections = [s for s in sections if s and s.strip()]
    # "Headline : Nature News": a colon is a headline's own punctuation
    # ("Réforme des retraites : le 49.3"), so it is cut only before the name.
    head, colon, tail = title.rpartition(":")
    if (
        colon
        and head.strip()
        and is_furniture(tail, names)
        and fold(tail) not in {fold(s) for s in GENERIC_SECTIONS}
        and not DATE_SEGMENT.match(tail.strip())
    ):
        title = head.strip()
    pieces = SEPARATOR.split(title)
    if len(pieces) == 1 or len(pieces) > MAX_SEGMENTS:
        return title
    for reference in references:
        reference = " ".join((reference or "").split())
        # A logo in <h1> ("DW") is furniture, not the headline.
        if (
            len(reference.split()) < 2
            or len(reference) >= len(title)
            or is_furniture(reference, names, sections)
        ):
            continue
        # The reference must be whole segments of the title, not a word of it.
        for start in range(len(pieces)):
            for end in range(start + 1, len(pieces) + 1):
                if fold(_join(title, pieces, start, end)) == fold(reference):
                    return _join(title, pieces, start, end)
    start, end = 0, len(pieces)
    changed = True
    while changed and end - start > 1:
        changed = False
        if is_furniture(pieces[end - 1], names, sections):
            end -= 1
            changed = True
        elif is_furniture(pieces[start], names, sections):
            start += 1
            changed = True
    return _join(title, pieces, start, end)


def _join(title: str, pieces: list[str], start: int, end: int) -> str:
    """Segments ``start:end`` of ``title`` with their own separators kept."""
    spans = []
    position = 0
    for piece in pieces:
        found = title.index(piece, position)
        spans.append((found, found + len(piece)))
        position = found + len(piece)
    return title[spans[start][0] : spans[end - 1][1]].strip()

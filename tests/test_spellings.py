"""newsdigest.model.spellings: one spelling per name, and the address Pelican
gives it."""

from __future__ import annotations

import pytest
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify as pelican_slugify

from newsdigest.model.spellings import (
    canonical_spellings,
    slugify,
    title_slug,
    url_slug,
)

SETTINGS = {
    "SLUG_REGEX_SUBSTITUTIONS": DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"],
    "TAG_REGEX_SUBSTITUTIONS": DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"],
}
NAMES = [
    "NATO",
    "Security guarantees",
    "C++",
    "C#",
    "A.P.",
    "Café au lait",
    "Ærø & Øresund",
    "  spaced   out  ",
    "Straße",
    "東京",
    "\uff26\uff55\uff4c\uff4c width",  # fullwidth letters
    "<b>bold</b> move",
    "ﬁnance",
    "—",
    "",
    "1984",
    "Rock 'n' Roll",
    "naïve/résumé\\path",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"preserve_case": True},
        {"use_unicode": True},
        {"regex_subs": DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]},
        {
            "regex_subs": DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"],
            "use_unicode": True,
            "preserve_case": True,
        },
    ],
    ids=["plain", "case", "unicode", "subs", "all"],
)
def test_slugify_is_pelicans(name, options):
    assert slugify(name, **options) == pelican_slugify(name, **options)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Security guarantees", "security-guarantees"),
        ("Café au lait", "cafe-au-lait"),
        ("C++", "c"),
        ("A.P.", "ap"),
        ("—", "-"),  # unidecode spells the em dash "--"
        ("!?!", ""),
    ],
)
def test_url_slug_of_a_tag(name, slug):
    assert url_slug(name, "TAG", SETTINGS) == slug


def test_url_slug_uses_the_kinds_own_substitutions_then_the_sites():
    settings = {
        "SLUG_REGEX_SUBSTITUTIONS": [(r"\s+", "_")],
        "TAG_REGEX_SUBSTITUTIONS": [(r"\s+", "~")],
    }
    assert url_slug("a b", "TAG", settings) == "a~b"
    assert url_slug("a b", "SOURCE", settings) == "a_b"
    assert url_slug("A b", "SOURCE", {**settings, "SLUGIFY_PRESERVE_CASE": True}) == (
        "A_b"
    )


def test_title_slug():
    assert title_slug("Lavrov: 'necessary measures'", SETTINGS) == (
        "lavrov-necessary-measures"
    )


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["NATO", "nato", "NATO"], {"nato": "NATO"}),
        (["nato", "Nato", "nato", "NATO"], {"nato": "nato"}),
        (["Nato", "NATO"], {"nato": "NATO"}),  # tie: sorted first
        ([], {}),
        (["AP", "A.P."], {"ap": "AP", "a.p.": "A.P."}),  # one address, two names
    ],
)
def test_canonical_spellings(names, expected):
    assert canonical_spellings(names) == expected

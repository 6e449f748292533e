"""newsdigest.urls as the one URL policy: the sanitiser and the site checks agree."""

from __future__ import annotations

import pytest

from newsdigest.model.sanitize import sanitise_html
from newsdigest.sitecheck.site import url_scheme
from newsdigest.urls import (
    DANGEROUS_SCHEMES,
    EXTERNAL_SCHEMES,
    LINK_SCHEMES,
    SAFE_SCHEMES,
    is_mailto,
    scheme_of,
)

DISGUISED = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "JaVa&#x53;cript:alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
]


def test_the_scheme_sets_nest():
    assert SAFE_SCHEMES < LINK_SCHEMES < EXTERNAL_SCHEMES
    assert not DANGEROUS_SCHEMES & EXTERNAL_SCHEMES


@pytest.mark.parametrize("url", DISGUISED)
def test_a_disguised_scheme_is_seen_by_the_sanitiser_and_the_checks(url):
    """What the sanitiser drops, the site checks call dangerous: one reading."""
    assert scheme_of(url) in DANGEROUS_SCHEMES
    assert url_scheme(url) in DANGEROUS_SCHEMES
    assert "href" not in sanitise_html(f'<a href="{url}">x</a>')


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://example.org/a", "https"),
        ("mailto:desk@example.org", "mailto"),
        ("tel:+351210000000", "tel"),
        ("../a/", ""),
        ("/about/", ""),
        ("#top", ""),
    ],
)
def test_the_checks_read_schemes_as_the_policy_does(url, scheme):
    assert url_scheme(url) == scheme
    assert (scheme_of(url) or "") == scheme


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("mailto:desk@example.org", True),
        ("MAILTO:desk@example.org", True),
        ("mailto:desk@example.org\x0b", False),
        ("https://example.org/", False),
        ("tel:+351210000000", False),
    ],
)
def test_a_body_may_link_mailto_and_nothing_else_beyond_http(url, kept):
    assert is_mailto(url) is kept
    assert ("href" in sanitise_html(f'<a href="{url}">x</a>')) is (
        kept or scheme_of(url) in SAFE_SCHEMES
    )

"""URL normalisation for identity and duplicates: tracking noise is not a new item."""

from __future__ import annotations

import pytest

from newsdigest.schema import item_id
from newsdigest.urls import clean_url, is_tracking_param, normalise_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://News.Example.COM:443/a/B?utm_source=x&id=3&fbclid=1#top",
            "https://news.example.com/a/B?id=3",
        ),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com:8443/x?gclid=1", "https://example.com:8443/x"),
        ("https://example.com/x?ref=twitter&page=2", "https://example.com/x?page=2"),
        (
            "https://example.com/x?mc_eid=9&mc_cid=8&UTM_Campaign=y",
            "https://example.com/x",
        ),
        ("https://example.com/x?a=1&b=2", "https://example.com/x?a=1&b=2"),
    ],
)
def test_clean_url_drops_tracking_default_ports_and_fragments(url, expected):
    assert clean_url(url) == expected


@pytest.mark.parametrize(
    "noisy",
    [
        "https://example.com/story?utm_source=rss&utm_medium=feed",
        "https://example.com/story?fbclid=IwAR0abc",
        "https://example.com/story?gclid=xyz",
        "https://example.com/story?mc_eid=123",
        "https://example.com/story?ref=homepage",
        "https://www.example.com:443/story/#comments",
        "HTTPS://EXAMPLE.COM/story",
    ],
)
def test_tracking_noise_keeps_the_identity_and_the_item_id(noisy):
    clean = "https://example.com/story"
    assert normalise_url(noisy) == normalise_url(clean)
    assert item_id("a,2026", noisy) == item_id("a,2026", clean)


def test_meaningful_parameters_still_distinguish_documents():
    assert normalise_url("https://example.com/s?id=1&utm_source=x") != normalise_url(
        "https://example.com/s?id=2"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The spelling of clean URLs is unchanged, so existing item ids are too.
        ("HTTPS://WWW.Example.COM/Path/?q=1#frag", "example.com/Path?q=1"),
        ("https://example.com/a?x=1&&y=2", "example.com/a?x=1&&y=2"),
        ("https://example.com/a?b=2&a=1", "example.com/a?b=2&a=1"),
    ],
)
def test_clean_urls_normalise_as_before(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    ("name", "tracking"),
    [
        ("utm_source", True),
        ("UTM_MEDIUM", True),
        ("fbclid", True),
        ("mc_eid", True),
        ("ref_src", True),
        ("id", False),
        ("page", False),
        ("reference", False),
    ],
)
def test_tracking_parameters(name, tracking):
    assert is_tracking_param(name) is tracking

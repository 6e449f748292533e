"""Unit tests for newsdigest.urls: which URLs may be written, and their identity."""

from __future__ import annotations

import pytest

from newsdigest.model.schema import item_id
from newsdigest.urls import (
    clean_url,
    is_absolute_http_url,
    is_safe_url,
    is_tracking_param,
    normalise_url,
    scheme_of,
)


@pytest.mark.parametrize(
    ("url", "safe", "absolute"),
    [
        ("https://example.org/story", True, True),
        ("http://example.org", True, True),
        ("HTTPS://EXAMPLE.COM/x", True, True),
        ("https://example.org:8443/x?q=1#f", True, True),
        ("https://", False, False),
        ("https:/example.org", False, False),
        ("https:example.org", False, False),
        ("//evil.example", False, False),
        ("  //evil.example", False, False),
        ("ftp://files.example.org/x", False, False),
        ("mailto:editor@example.org", False, False),
        ("tel:+441234", False, False),
        ("javascript:alert(1)", False, False),
        ("JAVASCRIPT:alert(1)", False, False),
        ("java\tscript:alert(1)", False, False),
        ("&#106;avascript:alert(1)", False, False),
        ("&#x6A;avascript:alert(1)", False, False),
        ("&amp;#x6A;avascript:alert(1)", False, False),
        ("data:text/html,x", False, False),
        ("vbscript:x", False, False),
        ("http://example.org/\x00", False, False),
        ("http://example.org/\x1b[31m", False, False),
        ("http://example.org/\u2028", False, False),
        ("http://[::1", False, False),
        ("https://example.org/a b", True, False),
        (" https://example.org/ ", True, False),
        ("https://example.org/\tx", True, False),
        ("../story/", True, False),
        ("/topics/world/", True, False),
        ("story.html", True, False),
        ("#section", True, False),
        ("?page=2", True, False),
        ("", False, False),
        ("   ", False, False),
    ],
)
def test_url_policy(url, safe, absolute):
    assert (is_safe_url(url), is_absolute_http_url(url)) == (safe, absolute)


@pytest.mark.parametrize("url", ["../story/", "/x", "#a"])
def test_relative_url_refused_when_relative_not_allowed(url):
    assert is_safe_url(url, allow_relative=False) is False


@pytest.mark.parametrize("value", [None, 42, b"https://example.org"])
def test_non_string_is_neither_safe_nor_absolute(value):
    assert (is_safe_url(value), is_absolute_http_url(value)) == (False, False)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("HTTPS://x.org", "https"),
        ("JaVa&#x53;cript:x", "javascript"),
        ("java\tscript:x", "javascript"),
        ("\x01java script:x", "javascript"),
        ("&amp;#106;avascript:x", "javascript"),
        ("../a:b", None),
        ("/a:b", None),
        ("a/b:c", None),
        ("#x", None),
        ("1http://x", None),
    ],
)
def test_scheme_is_read_as_a_browser_would(url, scheme):
    assert scheme_of(url) == scheme


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/a", "http://example.com/a"),
        ("https://example.com/a", "HTTPS://EXAMPLE.COM/a"),
        ("https://example.com/a", "https://www.example.com/a"),
        ("https://example.com/a", "https://example.com/a/"),
        ("https://example.com/a", "https://example.com/a#comments"),
        ("https://example.com/a", " https://example.com/a "),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a?x=1", "https://example.com/a/?x=1#top"),
    ],
)
def test_same_document_normalises_the_same(a, b):
    assert normalise_url(a) == normalise_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/a", "https://example.com/A"),
        ("https://example.com/a", "https://example.com/b"),
        ("https://example.com/a?x=1", "https://example.com/a?x=2"),
        ("https://example.com/a", "https://example.org/a"),
        ("https://example.com/a", "https://news.example.com/a"),
    ],
)
def test_different_documents_normalise_differently(a, b):
    assert normalise_url(a) != normalise_url(b)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.Example.COM/Path/?q=1#frag", "example.com/Path?q=1"),
        ("https://example.com", "example.com/"),
        ("http://example.com:8080/x", "example.com:8080/x"),
        ("https://example.com:443/x", "example.com/x"),
    ],
)
def test_normalised_spelling(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "/\\evil.example/x",
        "\\\\evil.example/x",
        "\\/evil.example/x",
        "/\t/evil.example",
    ],
)
def test_disguised_protocol_relative_url_is_not_safe(url):
    assert is_safe_url(url) is False


# --- Identity and duplicates: tracking noise is not a new item ------------------------


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


@pytest.mark.parametrize(
    "url",
    ["https://x.example:99999/a", "https://x.example:abc/", "http://x.example:-1/"],
)
def test_a_port_that_is_no_port_is_not_a_url(url):
    """urllib raises on these when the port is read (clean_url, normalise_url):
    refused up front, they can neither crash an import nor a build."""
    from tests.helpers import checked

    assert not is_absolute_http_url(url) and not is_safe_url(url)
    problems = checked(source_url=url).problems
    assert [p.field for p in problems if p.is_error] == ["source_url"]

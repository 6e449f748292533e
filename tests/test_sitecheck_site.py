"""The shared site index: how URLs are classified and pages are parsed.

The links, anchors, assets and feeds checks all rely on ``Site.resolve``; these
tables pin down what "internal", "external" and "unsafe" mean.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdigest.sitecheck.site import Kind, Site, srcset_urls


@pytest.fixture
def site(tmp_path: Path) -> Site:
    for name in ("index.html", "posts/first/index.html", "café/menu.html"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('<!DOCTYPE html><p id="x">x</p>', encoding="utf-8")
    return Site(tmp_path, "https://example.org/digest/")


@pytest.mark.parametrize(
    ("url", "kind", "path", "fragment"),
    [
        ("first/", Kind.INTERNAL, "posts/first/", None),
        ("../index.html#x", Kind.INTERNAL, "index.html", "x"),
        ("/digest/posts/first/?utm=1#a%20b", Kind.INTERNAL, "posts/first/", "a b"),
        (
            "https://example.org/digest/caf%C3%A9/menu.html",
            Kind.INTERNAL,
            "café/menu.html",
            None,
        ),
        ("HTTPS://EXAMPLE.ORG/digest/", Kind.INTERNAL, "", None),
        ("#x", Kind.INTERNAL, "posts/index.html", "x"),
        ("", Kind.INTERNAL, "posts/index.html", None),
        ("https://example.org/shop/", Kind.EXTERNAL, "", None),
        ("//cdn.example.net/a.css", Kind.EXTERNAL, "", None),
        ("mailto:desk@example.org", Kind.EXTERNAL, "", None),
        ("/shop/", Kind.OUTSIDE, "", None),
        ("../../x.html", Kind.OUTSIDE, "", None),
        ("http://[::1]:8000/", Kind.LOCAL, "", None),
        ("\x01 java\nscript:alert(1)", Kind.DANGEROUS, "", None),
        ("VBScript:x", Kind.DANGEROUS, "", None),
        ("file:///etc/passwd", Kind.BAD_SCHEME, "", None),
    ],
)
def test_resolve(
    site: Site, url: str, kind: Kind, path: str, fragment: str | None
) -> None:
    target = site.resolve(url, "posts/index.html")
    assert (target.kind, target.path, target.fragment) == (kind, path, fragment)


def test_lookup_serves_directory_index(site: Site) -> None:
    assert site.lookup("posts/first/") == "posts/first/index.html"
    assert site.lookup("posts/first") == "posts/first/index.html"
    assert site.lookup("") == "index.html"
    assert site.lookup("café/") is None


def test_srcset_candidates() -> None:
    urls = srcset_urls(" a.png 1x,b.png, c,2.png 480w , d.png")
    assert urls == ["a.png", "b.png", "c,2.png", "d.png"]


def test_parallel_preload_matches_serial(site: Site, tmp_path: Path) -> None:
    site.preload(parse_errors=True, workers=2)
    serial = Site(tmp_path)
    serial.preload(parse_errors=True, workers=1)
    for path in site.html_paths:
        assert site.page(path) == serial.page(path)
    assert site.page("index.html").ids == {"x": [1]}
    assert site.parse_errors("index.html") == []

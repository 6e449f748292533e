"""The shared site index: how URLs are classified and pages are parsed.

The links, anchors, assets and feeds checks all rely on ``Site.resolve``; these
tables pin down what "internal", "external" and "unsafe" mean.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdigest.sitecheck import check_site
from newsdigest.sitecheck.checker import html5_errors_in_workers
from newsdigest.sitecheck.page import html5lib_errors, scan_page
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


def test_parallel_html5_parse_matches_serial(site: Site, tmp_path: Path) -> None:
    (tmp_path / "broken.html").write_text("<!DOCTYPE html><div>x</span></div>")
    pages = [*site.html_paths, "broken.html"]
    parallel = html5_errors_in_workers(tmp_path, pages, workers=2)
    serial = {p: html5lib_errors((tmp_path / p).read_text()) for p in pages}
    assert parallel == serial
    assert parallel["broken.html"] and parallel["index.html"] == []
    assert (
        check_site(tmp_path, workers=2).problems
        == check_site(tmp_path, workers=1).problems
    )


def test_page_scan_keeps_ids_with_their_lines() -> None:
    page = scan_page("p.html", '<!DOCTYPE html>\n<p id="x">x</p>\n<a name="y">y</a>')
    assert page.ids == {"x": [2], "y": [3]}
    assert page.doctype == "DOCTYPE html"

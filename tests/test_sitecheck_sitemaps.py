"""The sitemaps site check (newsdigest.sitecheck.sitemaps) on small built trees."""

from __future__ import annotations

import pytest

from tests.helpers import BASE


# --- Site checks of sitemaps ---------------------------------------------------------
def sitemap_problems(tmp_path, sitemap: str, robots: str = "") -> list[str]:
    from newsdigest.sitecheck import check_site

    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "a/index.html").write_text("<!DOCTYPE html><title>a</title>")
    (tmp_path / "sitemap.xml").write_text(sitemap)
    if robots:
        (tmp_path / "robots.txt").write_text(robots)
    report = check_site(tmp_path, site_url=BASE.rstrip("/"), checks=["sitemaps"])
    return [f"{p.field}: {p.message}" for p in report.errors]


def urlset(*urls: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        + "".join(urls)
        + "</urlset>"
    )


def test_site_check_accepts_a_good_sitemap_and_robots(tmp_path):
    good = urlset(
        f"<url><loc>{BASE}a/</loc><lastmod>2022-01-05T10:00:00+00:00</lastmod>"
        "<news:news><news:publication><news:name>D</news:name>"
        "<news:language>en</news:language></news:publication>"
        "<news:publication_date>2022-01-05</news:publication_date>"
        "<news:title>T</news:title></news:news></url>"
    )
    assert sitemap_problems(tmp_path, good, f"Sitemap: {BASE}sitemap.xml\n") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"<url><loc>{BASE}missing/</loc></url>", "loc: "),
        ("<url><loc>a/</loc></url>", "is not absolute"),
        ("<url><loc>https://elsewhere.example/a/</loc></url>", "not a page of this"),
        (f"<url><loc>{BASE}a/</loc><lastmod>05/01/2022</lastmod></url>", "W3C"),
        (f"<url><loc>{BASE}a/</loc><lastmod>2022-13-40</lastmod></url>", "real date"),
        (
            f"<url><loc>{BASE}a/</loc><news:news><news:title>T</news:title>"
            "</news:news></url>",
            "news:name",
        ),
    ],
)
def test_site_check_rejects_bad_sitemap_entries(tmp_path, url, expected):
    problems = sitemap_problems(tmp_path, urlset(url))
    assert any(expected in p for p in problems), problems


def test_site_check_rejects_robots_pointing_elsewhere(tmp_path):
    robots = "User-agent: *\nSitemap: https://elsewhere.example/sitemap.xml\n"
    problems = sitemap_problems(tmp_path, urlset(), robots)
    assert problems == [
        "Sitemap: 'https://elsewhere.example/sitemap.xml' is not a sitemap of this site"
    ]

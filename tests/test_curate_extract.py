"""HTML pages in the shapes news sites use (newsdigest.curate.extract)."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdigest.curate.article import Article, summary_of
from newsdigest.curate.extract import ExtractError, extract_article
from tests.helpers import CURATE_FIXTURES as FIXTURES

CET = dt.timezone(dt.timedelta(hours=1))


def page(name: str, url: str = "") -> Article:
    return extract_article((FIXTURES / name).read_bytes(), url)


def test_opengraph_page():
    article = page("opengraph.html", "https://coastal-times.example/x?fbclid=1")
    assert article.title == "Wetlands store more carbon than thought, study finds"
    assert article.site_name == "The Coastal Times"
    assert article.url == (
        "https://www.coastal-times.example/climate/2022/01/wetlands-carbon"
        "?utm_source=rss&utm_medium=feed"
    )  # canonical, cleaned later by the draft
    assert article.date == dt.datetime(2022, 1, 9, 7, 30, tzinfo=CET)
    assert article.authors == ["Maria Costa"]
    assert article.description.startswith("Restored salt marshes locked away carbon")
    assert article.image == {
        "src": "https://img.coastal-times.example/marsh.jpg",
        "alt": "A restored salt marsh at low tide",
    }
    assert article.language == "en-GB"
    assert article.sections == ["Climate"]
    assert article.keywords == ["Wetlands", "Carbon"]
    assert len(article.paragraphs) == 5
    assert not any("Copyright" in p or "Home" in p for p in article.paragraphs)


def test_json_ld_news_article_in_a_graph():
    article = page("jsonld.html")
    assert article.title == "Le gouvernement présente son plan pour les hôpitaux"
    assert article.url == "https://lequotidien.example/sante/plan-hopitaux"
    assert article.site_name == "Le Quotidien"
    assert article.date == dt.datetime(2022, 1, 12, 18, 5, tzinfo=CET)
    assert article.authors == ["Claire Martin", "Paul Durand"]
    assert article.language == "fr"
    assert article.sections == ["Santé"]
    assert article.keywords == ["Hôpitaux", "Budget"]
    assert article.image == {
        "src": "https://lequotidien.example/img/hopital.jpg",
        "alt": "L'entrée d'un hôpital public à Lyon",
        "credit": "AFP",
    }


def test_microdata_page():
    article = page("microdata.html", "https://news.example/clinics")
    assert article.title == "Council approves late clinic hours"
    assert article.authors == ["Sam Lee"]
    assert article.date == dt.date(2022, 1, 20)
    assert article.sections == ["Health"]
    assert article.language == "en"
    assert article.url == "https://news.example/clinics"


def test_page_without_metadata():
    article = page("plain.html", "https://biz.example/survey")
    assert article.title == "Small business survey shows cautious optimism"
    assert article.date is None and article.authors == [] and article.image is None
    assert article.url == "https://biz.example/survey"
    assert summary_of(article) == (
        "Most small firms expect sales to grow this year, but fewer plan to hire, "
        "a survey of two thousand owners found. Energy costs were the main worry."
    )


def test_page_without_title_is_refused():
    with pytest.raises(ExtractError, match="no title"):
        page("notitle.html", "https://x.example/")


def test_a_page_extracted_twice_keeps_its_text():
    assert page("opengraph.html").paragraphs == page("opengraph.html").paragraphs != []


def test_image_without_alt_text_is_left_out():
    html = (
        (FIXTURES / "opengraph.html")
        .read_text()
        .replace(
            'content="A restored salt marsh at low tide"',
            'content=""',
        )
    )
    assert extract_article(html, "https://coastal-times.example/a").image is None


def test_credit_in_the_caption_is_split_off():
    html = (
        (FIXTURES / "opengraph.html")
        .read_text()
        .replace(
            "A restored salt marsh at low tide",
            "A restored salt marsh | Photo: Kim Lund",
        )
    )
    image = extract_article(html, "https://coastal-times.example/a").image
    assert image["alt"] == "A restored salt marsh" and image["credit"] == "Kim Lund"


@pytest.mark.parametrize(
    ("html", "title"),
    [
        (
            "<html><head><title>Only a title tag</title></head></html>",
            "Only a title tag",
        ),
        ("<body><h1>Only a heading here</h1></body>", "Only a heading here"),
        (
            '<meta property="og:site_name" content="Wire"><title>Story | Wire</title>',
            "Story",
        ),
        ("<title>Story | Other</title>", "Story | Other"),
    ],
)
def test_title_from_pages_with_little_text(html, title):
    assert extract_article(html.encode(), "https://x.example/a").title == title


def test_unsafe_image_address_is_left_out():
    html = (
        "<title>A title</title><meta property='og:image' content='javascript:alert(1)'>"
        "<meta property='og:image:alt' content='Alt'>"
    )
    assert extract_article(html.encode(), "https://x.example/a").image is None


def test_a_title_of_invisible_characters_is_no_title():
    html = "<html><head><title>\u2028\x07</title></head></html>"
    with pytest.raises(ExtractError, match="no title"):
        extract_article(html.encode(), "https://x.example/a")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("<title>Genève talks begin “today”</title>".encode(), None),
        ("<title>Genève talks begin “today”</title>".encode("cp1252"), None),
        ("<title>Genève talks begin “today”</title>".encode("cp1252"), "windows-1252"),
        (
            b'<meta charset="iso-8859-1"><title>Gen\xe8ve talks begin "today"</title>',
            None,
        ),
        (
            "<?xml version='1.0' encoding='utf-8'?><html><title>Genève talks begin "
            "“today”</title></html>".encode(),
            None,
        ),
    ],
)
def test_titles_decode_whatever_the_charset(data, encoding):
    title = extract_article(data, "https://x.example/a", encoding=encoding).title
    assert title.startswith("Genève talks begin") and "today" in title
    assert "Ã" not in title and "â" not in title


@pytest.mark.parametrize(
    "address",
    [
        "http://[x",
        "https://[::1",
        "http://a]b/",
        "//[",
        "http://x:99999999/",
        "http://x:abc/",
    ],
)
def test_unreadable_addresses_in_a_page_are_ignored_not_a_crash(address):
    """Canonical links, og:url, og:image and JSON-LD urls are the page's text:
    an address urllib cannot read (bad brackets, a port that is no port) is
    left out, as an address of another scheme is."""
    html = f"""<html><head><title>A title long enough</title>
<link rel="canonical" href="{address}"><meta property="og:url" content="{address}">
<meta property="og:image" content="{address}"><meta property="og:image:alt" content="A">
<script type="application/ld+json">{{"@type": "NewsArticle", "url": "{address}",
"image": "{address}", "mainEntityOfPage": "{address}"}}</script></head>
<body><article><p>Some words that are long enough to be a paragraph.</p></article>
</body></html>"""
    article = extract_article(html.encode(), "https://outlet.example/a")
    assert article.url == "https://outlet.example/a" and article.image is None


@pytest.mark.parametrize(
    ("candidates", "written", "local"),
    [
        # the page's own offset, wherever it gives it
        (["2019-06-20T07:30:00+02:00"], "2019-06-20T07:30:00+02:00", None),
        (
            ["2019-06-20T07:30:00", "2019-06-20T07:30:00+02:00"],
            "2019-06-20T07:30:00+02:00",
            None,
        ),
        (["2019-06-20T05:30:00Z"], "2019-06-20T05:30:00+00:00", None),
        (["Thu, 20 Jun 2019 07:30:00 +0200"], "2019-06-20T07:30:00+02:00", None),
        # no offset anywhere: the day alone, the time kept for a declared zone
        (["2019-06-20T07:30:00"], "2019-06-20", dt.datetime(2019, 6, 20, 7, 30)),
        (
            ["2019-06-20T07:30:00", "2019-06-20"],
            "2019-06-20",
            dt.datetime(2019, 6, 20, 7, 30),
        ),
        (
            ["Thu, 20 Jun 2019 07:30:00 -0000"],
            "2019-06-20",
            dt.datetime(2019, 6, 20, 7, 30),
        ),
        # an offset-bearing date of another day is something else's date
        (
            ["2019-06-20T23:30:00", "2019-06-22T10:00:00+02:00"],
            "2019-06-20",
            dt.datetime(2019, 6, 20, 23, 30),
        ),
        ([None, "", "not a date", "2019-06-20"], "2019-06-20", None),
        ([None, "garbage"], None, None),
    ],
)
def test_publication_date_keeps_its_offset_or_only_the_day(candidates, written, local):
    from newsdigest.curate.drafts import Draft
    from newsdigest.curate.extract import published

    date, local_time = published(candidates)
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    draft = Draft("t", "x", now, "s", "o", "https://x.example/", source_date=date)
    assert draft.front_matter()["source_date"] == written
    assert local_time == local


def test_a_declared_timezone_makes_a_local_time_exact():
    from newsdigest.curate.article import with_timezone

    article = page("opengraph.html")
    article.date, article.local_time = (
        dt.date(2019, 6, 20),
        dt.datetime(2019, 6, 20, 7, 30),
    )
    assert with_timezone(article, "Europe/Berlin").isoformat() == (
        "2019-06-20T07:30:00+02:00"
    )
    assert with_timezone(article, None) == dt.date(2019, 6, 20)


def test_title_furniture_goes_even_with_a_logo_in_the_first_h1():
    html = (
        "<html><head><title>Wine grapes ripen early this year | DW | 10.06.2013"
        '</title><meta property="og:site_name" content="DW.COM"></head><body>'
        "<header><h1>DW</h1></header><article><h1>Wine grapes ripen early this year"
        "</h1><p>The harvest in the Ahr valley started two weeks early this year, "
        "growers said, after a warm and dry summer.</p></article></body></html>"
    )
    article = extract_article(html, "https://www.dw.com/en/wine/a-1")
    assert article.title == "Wine grapes ripen early this year"
    assert article.site_name == "DW"

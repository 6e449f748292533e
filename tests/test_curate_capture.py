"""Text captures: the seed teleSUR capture and a second capture of the same kind."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdigest.curate.capture import parse_capture, parse_date
from tests.helpers import CURATE_FIXTURES as FIXTURES

SEED = (FIXTURES / "telesur-capture.txt").read_text(encoding="utf-8")
HARBOUR = (FIXTURES / "harbour-capture.txt").read_text(encoding="utf-8")
CHROME = [
    "Live",
    "Audio Only",
    "google plus",
    "facebook",
    "twitter",
    "RELATED:",
    "China and Russia To Cooperate Against US Domination",
    "Comment",
    "Comments",
    "Post with no comments.",
    "Published 31 December 2021",
    "News > Russia",
    "Photo:",
]


def all_text(article) -> str:
    return "\n".join(article.paragraphs)


def text_of(article) -> list[str]:
    """Standfirst and body: what a capture kept as the article's prose."""
    return [p for p in [article.description, *article.paragraphs] if p]


def test_seed_capture_fields():
    article = parse_capture(SEED)
    assert (
        article.title == "FM Lavrov Said Russia Would Eliminate Threats to Its Security"
    )
    assert article.date == dt.date(2021, 12, 31)
    assert article.sections == ["News", "Russia"]
    assert article.label == "opinion"
    assert article.description == (
        "The continuous request by Russia for security guarantees is intended on "
        "creating a system of agreements in respect to security, stated Sergei "
        "Lavrov, Russian Foreign Minister."
    )
    assert article.caption == (
        "Foreign Minister Sergei Lavrov announced that Russia would take measures "
        "to eliminate any imminent threat to its security. Dec. 31, 2021."
    )
    assert article.credit == "Twitter/@khminawi"
    assert len(article.paragraphs) == 8
    assert article.paragraphs[0].startswith(
        "Sergei Lavrov, Russian Foreign Minister, noted"
    )
    assert article.paragraphs[-1].endswith('Romania and Poland," Putin declared.')


def test_seed_capture_drops_all_chrome():
    body = all_text(parse_capture(SEED))
    for chrome in CHROME:
        assert chrome not in body, chrome
    assert "announced that Russia would take measures" not in body  # caption twice
    assert body.count("\n") == 7  # eight paragraphs, nothing else


def test_second_capture_of_the_same_kind():
    article = parse_capture(HARBOUR)
    assert (
        article.title == "Harbour workers strike over automation plans at two terminals"
    )
    assert article.sections == ["Business", "Ports"]
    assert article.date == dt.date(2022, 3, 3)  # Posted, not Updated
    assert article.label == "analysis"
    assert article.description.startswith("Dock workers walked out on Thursday")
    assert article.caption.startswith("A crane at the northern terminal")
    assert article.credit == "Jan de Vries"
    body = all_text(article)
    for chrome in (
        "Menu",
        "Search",
        "Home",
        "facebook",
        "WhatsApp",
        "READ MORE",
        "Port authority posts record",
        "See also",
        "Automation trial at northern terminal",
        "Share this article",
        "12 Comments",
        "Leave a comment",
        "Updated",
        "A crane at the",
    ):
        assert chrome not in body, chrome
    assert len(article.paragraphs) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31 December 2021", dt.date(2021, 12, 31)),
        ("Dec. 31, 2021", dt.date(2021, 12, 31)),
        ("March 3, 2022", dt.date(2022, 3, 3)),
        ("3rd March 2022 10:30 GMT", dt.date(2022, 3, 3)),
        ("2022-03-03T10:00", dt.date(2022, 3, 3)),
        ("31 Smarch 2021", None),
        ("31 February 2021", None),
    ],
)
def test_dates_in_captures(text, expected):
    assert parse_date(text) == expected


def capture(*lines: str) -> str:
    return "\n".join(lines) + "\n"


LONG = "This body paragraph is long enough to be prose, with a full stop at its end."


def test_short_bulleted_lines_and_widget_words_are_navigation():
    article = parse_capture(
        capture(
            "  • Home", "  • Watch now", "Share", "A headline of decent length", LONG
        )
    )
    assert article.title == "A headline of decent length"
    assert article.paragraphs == [LONG]


def test_section_path_with_other_separators():
    for separator in (">", "/", "\u00bb", "|"):
        article = parse_capture(
            capture(f"World {separator} Europe", "A headline of decent length", LONG)
        )
        assert article.sections == ["World", "Europe"], separator


def test_related_link_on_one_line_or_with_the_headline_below():
    article = parse_capture(
        capture(
            "A headline of decent length",
            LONG,
            "Related: Another story entirely",
            "READ MORE:",
            "A linked headline on its own line",
            LONG + " Again.",
        )
    )
    assert text_of(article) == [LONG, LONG + " Again."]


def test_related_marker_keeps_prose_that_follows():
    article = parse_capture(
        capture("A headline of decent length", LONG, "See also:", LONG + " More.")
    )
    assert text_of(article) == [LONG, LONG + " More."]


def test_caption_credit_forms():
    for line, caption, credit in (
        ("A dog on a beach. | Photo: Reuters", "A dog on a beach.", "Reuters"),
        (
            "A dog on a beach. Image: J. Doe/Agency",
            "A dog on a beach.",
            "J. Doe/Agency",
        ),
        ("Photo: AFP", "", "AFP"),
    ):
        article = parse_capture(capture("A headline of decent length", line, LONG))
        assert (article.caption, article.credit) == (caption, credit)
        assert article.paragraphs == [LONG]


def test_comment_widget_only_at_the_end():
    article = parse_capture(
        capture(
            "A headline of decent length",
            LONG,
            "Comments are a big part of the debate, the minister said in a speech.",
            LONG + " End.",
            "Comments",
            "3",
            "Leave a comment",
        )
    )
    assert text_of(article)[-1] == LONG + " End."
    assert len(text_of(article)) == 3


def test_label_word_only_before_the_body():
    article = parse_capture(
        capture(
            "A headline of decent length", "Interview", LONG, "Opinion", LONG + " x."
        )
    )
    assert article.label == "interview"
    assert "Opinion" in article.paragraphs


def test_long_first_paragraph_is_not_a_standfirst():
    long_first = " ".join([LONG] * 4)
    article = parse_capture(capture("A headline of decent length", long_first, LONG))
    assert article.description == ""
    assert article.paragraphs == [long_first, LONG]


def test_a_url_line_says_where_the_capture_came_from():
    article = parse_capture(
        capture(
            "Source: https://news.example/a?utm_source=x", "A headline here now", LONG
        )
    )
    assert article.url == "https://news.example/a?utm_source=x"
    assert article.paragraphs == [LONG]


def test_capture_without_headline_has_no_title():
    assert (
        parse_capture(capture("• Home", "short", "A sentence that ends.")).title == ""
    )


def test_a_news_navigation_line_does_not_hide_the_real_label():
    article = parse_capture(
        capture("News", "A headline of decent length", "Opinion", LONG, LONG + " x.")
    )
    assert article.label == "opinion"


def test_a_comment_link_is_not_a_label():
    article = parse_capture(capture("Comment", "A headline of decent length", LONG))
    assert article.label is None

"""From an extracted article to a draft (newsdigest.curate.article): key quotes and who
said them, slugs, clean text.
"""

from __future__ import annotations

import datetime as dt

import pytest

from newsdigest.curate.article import Article, key_quotes
from newsdigest.curate.quotes import full_name, resolve_role


@pytest.mark.parametrize(
    ("paragraph", "speaker"),
    [
        (
            '"We will not accept cuts to the budget of any hospital," Ms Ortega said.',
            "Ms Ortega",
        ),
        (
            '"We will not accept cuts to the budget of any hospital," said Ana Ortega.',
            "Ana Ortega",
        ),
        (
            "Ana Ortega, the minister, declared that "
            '"we will not accept any cut to any hospital budget."',
            "Ana Ortega",
        ),
        (
            "\u201cWe will not accept cuts to the budget of any hospital,\u201d "
            "she said.",
            None,
        ),
        ('"We will not accept cuts to the budget of any hospital."', None),
    ],
)
def test_quote_attribution(paragraph, speaker):
    """A quotation is kept only with its speaker's name: "she said" names
    nobody, and an unattributed quotation is left out."""
    quotes = key_quotes([paragraph])
    assert [q.speaker for q in quotes] == ([speaker] if speaker else [])
    assert all(q.text.startswith(("We will not", "we will not")) for q in quotes)


def test_speakers_get_their_full_names_from_the_text():
    context = "Sergei Lavrov, Russian Foreign Minister, spoke. Minister Sergei Lavrov."
    assert full_name("Lavrov", context) == "Sergei Lavrov"
    assert resolve_role("Minister", context) == "Sergei Lavrov"
    assert full_name("Putin", context) == "Putin"


def test_at_most_three_short_quotes_never_the_full_text():
    long_quote = " ".join(["This sentence is part of a very long statement."] * 12)
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    paragraphs = [f'"{long_quote}" said Ana Ortega.'] + [
        f'"Quote number {n} is long enough to count as a quote," said Person {n}.'
        for n in names
    ]
    quotes = key_quotes(paragraphs)
    assert len(quotes) == 3
    assert all(len(q.text) <= 300 for q in quotes)
    assert [q.speaker for q in quotes] == [
        "Person Alpha",
        "Person Bravo",
        "Person Charlie",
    ]


def test_long_quote_is_cut_at_a_sentence_and_marked():
    long_quote = " ".join(["This sentence is part of a very long statement."] * 12)
    (quote,) = key_quotes([f'"{long_quote}" said Ana Ortega.'])
    assert quote.text.endswith("statement. [\u2026]") and len(quote.text) <= 300


def test_without_quoted_speech_there_are_no_quotes():
    """The opening sentences are the outlet's prose, not anyone's quote."""
    quotes = key_quotes(
        ["The council voted to keep four clinics open late. It costs money.", "Short."]
    )
    assert quotes == []


def test_control_characters_never_reach_a_draft(tmp_path):
    from newsdigest.curate.article import draft_from_article
    from newsdigest.curate.catalogue import Catalogue

    article = Article(
        title="Bell\x07 and line\u2028separator",
        url="https://x.example/a",
        description="One\x00 sentence that is long enough.",
        authors=["Jane\x1b Doe"],
        paragraphs=['"A quote with a \x0b vertical tab inside it," said Ana Ortega.'],
    )
    draft, _ = draft_from_article(
        article, Catalogue(tmp_path), now=dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    )
    assert draft.title == "Bell and line separator"
    assert draft.summary == "One sentence that is long enough."
    assert draft.authors == ["Jane Doe"]
    assert "\x0b" not in draft.body


@pytest.mark.parametrize(
    ("title", "url", "slug"),
    [
        (
            "Путин заявил о гарантиях",  # noqa: RUF001
            "https://ru.example/n/putin-garantii.html",
            "putin-garantii",
        ),
        ("Genève: les pourparlers", "https://x.example/1", "geneve-les-pourparlers"),
        ("中文标题", "https://x.example/", "item"),
    ],
)
def test_slug_for_titles_without_latin_letters(title, url, slug):
    from newsdigest.curate.article import slug_for

    assert slug_for(Article(title=title, url=url)) == slug

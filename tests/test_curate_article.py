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


HOSTILE = [
    "--->",
    "-->",
    "--!>",
    "<!--",
    "]]>",
    "</script>",
    "\n---\nstatus: published\n",
    "key: value",
    "&anchor *alias !!python/object/apply:os.system ['id']",
    "[x](https://evil.example/a)",
    "[ref]: https://evil.example/r",
    "<a href='https://evil.example/h'>x</a>",
    "{filename}/items/x.md",
    "\x1b[2J\x9b31m\u202e\u2066",
]


def _hostile_draft(tmp_path):
    from newsdigest.curate.article import draft_from_article
    from newsdigest.curate.catalogue import Catalogue
    from newsdigest.model.topics import Topic

    catalogue = Catalogue(tmp_path, topics={"world": Topic("world", "W", "W", 1)})
    article = Article(
        title="A title " + " ".join(HOSTILE),
        url="https://outlet.example/a",
        site_name="Outlet " + HOSTILE[9],
        sections=[f"NOTE{i} {payload}" for i, payload in enumerate(HOSTILE)],
        caption="NOTECAPTION " + " ".join(HOSTILE),
        paragraphs=[f'"{" ".join(HOSTILE)} and the rest," said Ana Ortega.'],
    )
    return draft_from_article(
        article,
        catalogue,
        now=dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
        topic="world",
    )[0]


def test_curator_notes_are_front_matter_the_build_never_reads(tmp_path):
    """Page text in notes (comment closers, YAML, links) stays in curator_notes:
    the file reads back to the same strings, the schema accepts the key and
    hands none of it on, and the body holds no note and no comment."""
    from newsdigest.curate.drafts import render
    from newsdigest.model.frontmatter import split
    from newsdigest.model.schema import validate_item
    from newsdigest.model.topics import Topic

    draft = _hostile_draft(tmp_path)
    text = render(draft).replace("\nstatus: draft\n", "\n")
    doc = split(text, "item.md")
    notes = doc.metadata["curator_notes"]
    assert notes == draft.front_matter()["curator_notes"]
    assert doc.metadata["title"] == draft.title  # YAML round trip, exactly
    assert all(f"NOTE{i} " in " ".join(notes) for i in range(len(HOSTILE)))
    assert "NOTE" not in doc.body and "<!--" not in doc.body
    checked = validate_item(
        doc,
        {"world": Topic("world", "W", "W", 1)},
        timezone="UTC",
        authority="digest.example.org,2026",
    )
    assert [str(p) for p in checked.problems if p.is_error] == []
    assert "curator_notes" not in checked.values
    assert "NOTE" not in repr(checked.values)


def test_page_text_in_a_draft_body_renders_as_text_never_markup(tmp_path):
    from newsdigest.model.sanitize import render_markdown

    html = render_markdown(_hostile_draft(tmp_path).body)
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert "<code" not in html and "<em" not in html
    assert "[x](https://evil.example/a)" in html  # the quote, as written
    assert "{filename}/items/x.md" in html
    assert "\x1b" not in html and "\u202e" not in html


def test_page_text_loses_terminal_and_bidi_controls(tmp_path):
    draft = _hostile_draft(tmp_path)
    for text in (draft.title, draft.source, *draft.notes, draft.body):
        assert not set(text) & set("\x1b\x9b\u202e\u2066"), text


def test_a_page_cannot_make_a_draft_too_large_to_build(tmp_path):
    """Sections and captions are page text of any length; each note is cut."""
    from newsdigest.curate.article import draft_from_article
    from newsdigest.curate.catalogue import Catalogue
    from newsdigest.curate.drafts import render
    from newsdigest.model.frontmatter import MAX_BYTES

    article = Article(
        title="T",
        url="https://outlet.example/a",
        sections=["word " * 30_000],
        caption="word " * 30_000,
    )
    draft, _ = draft_from_article(
        article, Catalogue(tmp_path), now=dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    )
    assert len(render(draft).encode()) < MAX_BYTES


def test_a_page_with_overlong_fields_still_makes_a_valid_draft(tmp_path):
    """A draft that fails the schema stops every build, production included:
    a page's overlong title, outlet, alt text and lists are cut to the limits."""
    from newsdigest.curate.article import draft_from_article
    from newsdigest.curate.catalogue import Catalogue
    from newsdigest.curate.drafts import render
    from newsdigest.model.frontmatter import split
    from newsdigest.model.schema import validate_item
    from newsdigest.model.topics import Topic

    topics = {"world": Topic("world", "W", "W", 1)}
    article = Article(
        title="Tĩtle " * 400,
        url="https://outlet.example/a",
        site_name="S" * 300,
        authors=[f"Author {i}" for i in range(40)] + ["B" * 200],
        image={"src": "https://outlet.example/i.png", "alt": "alt " * 800},
        description="\U0001f600" * 299 + ". More.",
    )
    draft, _ = draft_from_article(
        article,
        Catalogue(tmp_path, topics=topics),
        now=dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
        topic="world",
    )
    checked = validate_item(
        split(render(draft), "x.md"),
        topics,
        timezone="UTC",
        authority="digest.example.org,2026",
    )
    assert [str(p) for p in checked.problems] == []
    assert draft.title.startswith("Tĩtle Tĩtle") and draft.title.endswith(" \u2026")


def test_invisible_characters_in_the_address_are_percent_encoded(tmp_path):
    """A canonical address with a C1 control or a bidi override would make an
    invalid (or disguised) source_url; a browser would send them encoded."""
    from newsdigest.curate.article import draft_from_article
    from newsdigest.curate.catalogue import Catalogue

    article = Article(title="T", url="https://outlet.example/a\x9bb\u202ec/")
    draft, _ = draft_from_article(
        article, Catalogue(tmp_path), now=dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    )
    assert draft.source_url == "https://outlet.example/a%C2%9Bb%E2%80%AEc/"

"""Drafts: slugs, rendering and writing that never loses a curator's file."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from newsdigest.curate import drafts
from newsdigest.curate.drafts import Draft, DraftExists, render, slugify, write_new
from newsdigest.model.frontmatter import split
from newsdigest.model.topics import SLUG


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            'Lavrov says Russia will take "necessary measures"',
            "lavrov-says-russia-will-take-necessary-measures",
        ),
        ("Russia's position, explained", "russias-position-explained"),
        ("Genève: 10 % more — or less?", "geneve-10-more-or-less"),
        ("   ", "item"),
        ("a" * 80, "a" * 60),
        (" ".join(["word"] * 30), "-".join(["word"] * 12)),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug
    assert SLUG.match(slugify(title))


def test_render_round_trips_through_the_front_matter_reader():
    draft = Draft(
        title='A "quoted" title: with colon\n---\nand a fence',
        topic="world",
        date=dt.datetime(2022, 1, 5, 10, 0, tzinfo=dt.UTC),
        summary="One sentence.",
        source="Wire",
        source_url="https://example.com/a",
        tags=["NATO", "a: b"],
        body="Body text.",
    )
    doc = split(render(draft), "x.md")
    assert doc.metadata["title"] == 'A "quoted" title: with colon --- and a fence'
    assert doc.metadata["status"] == "draft"
    assert doc.metadata["tags"] == ["NATO", "a: b"]
    assert doc.body.strip() == "Body text."


def test_write_new_refuses_an_existing_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "items" / "2022-01-05-a.md"
    write_new(target, "first")
    with pytest.raises(DraftExists):
        write_new(target, "second")
    assert target.read_text() == "first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["2022-01-05-a.md"]


def test_write_new_loses_a_race_without_overwriting(tmp_path, monkeypatch):
    """A file created between the check and the link is kept."""
    target = tmp_path / "a.md"
    real_link = os.link

    def racing_link(src, dst):
        target.write_text("the curator's file")
        real_link(src, dst)

    monkeypatch.setattr(drafts.os, "link", racing_link)
    with pytest.raises(DraftExists):
        write_new(target, "draft")
    assert target.read_text() == "the curator's file"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


@pytest.mark.parametrize(
    "text",
    [
        "[x](https://evil.example) ![i](https://evil.example/i.png)",
        "[ref]: https://evil.example/r",
        "<a href=https://evil.example>x</a> <script>alert(1)</script>",
        "<https://evil.example/auto> &#1; &amp; &lt;",
        "*em* _em_ **strong** `code` \\[escaped\\]",
        "{filename}/items/x.md {static}/x.png {: .class #id}",
        "*[HTML]: abbreviation [^1] footnote",
        "# heading",
        "> quote",
        "- list",
        "+ list",
        "1. numbered",
        "2) numbered",
        "| a | b |",
        ": definition",
        "~~~ fence",
        "===",
        "    indented code",
        "<!-- comment --> ---> --!>",
    ],
)
def test_markdown_text_renders_as_the_same_text(text):
    """Any text, escaped, is one paragraph of exactly that text."""
    import html

    from newsdigest.curate.drafts import markdown_text
    from newsdigest.model.sanitize import render_markdown

    rendered = render_markdown(markdown_text(text))
    expected = html.escape(" ".join(text.split()), quote=False)
    assert rendered in (f"<p>{expected}</p>", f"<p>{expected.replace('>', '&gt;')}</p>")


def test_placeholders_of_new_are_found_however_edited():
    """The one list: new's values, in any case or spacing, a placeholder address
    anywhere under example.invalid, body lines with their quoting changed."""
    from newsdigest.model.placeholders import placeholder_problems

    text = (
        "---\ntitle: T\nsummary: ' one or TWO sentences  in our words. '\n"
        "source: OUTLET NAME\nsource_url: https://www.example.invalid/x\n---\n"
        "Fine text.\n\nThe key quote, exactly as published.\n\n-- who said it, where\n"
    )
    doc = split(text, "content/items/x.md")
    found = {
        (p.field, p.line, p.severity)
        for p in placeholder_problems(doc, production=True)
    }
    assert found == {
        ("summary", 3, "error"),
        ("source", 4, "error"),
        ("source_url", 5, "error"),
        ("body", 9, "error"),
        ("body", 11, "error"),
    }
    assert {p.severity for p in placeholder_problems(doc, production=False)} == {
        "warning"
    }
    draft = split(text.replace("title: T\n", "title: T\nstatus: draft\n"), "x.md")
    assert placeholder_problems(draft, production=True) == []

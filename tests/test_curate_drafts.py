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

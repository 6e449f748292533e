"""What the digest already holds (newsdigest.curate.catalogue): suggested topic and
tags.
"""

from __future__ import annotations

import pytest

from newsdigest.curate.catalogue import guess_topic
from newsdigest.model.topics import Topic


def test_tags_named_in_the_headline_are_suggested(tmp_path):
    from newsdigest.curate.catalogue import Catalogue

    catalogue = Catalogue(tmp_path)
    for tag in ("US", "EU", "NATO", "Security guarantees", "Art"):
        catalogue.add_item(
            tmp_path / f"{tag}.md", title=tag, source_url="", topic="world", tags=[tag]
        )
    topic, tags = catalogue.suggest([], "They told us NATO wants security GUARANTEES")
    assert tags == ["NATO", "Security guarantees"]  # not "US" from "us", not "Art"
    assert topic is None  # "world" is not a declared topic here
    _, tags = catalogue.suggest(["News > NATO"], "The US and the EU")
    assert tags == ["NATO", "EU", "US"]  # acronyms, as spelled


TOPICS = {
    "world": Topic("world", "World", "International news and diplomacy.", 1),
    "science": Topic(
        "science", "Science", "Research, space, astronomy and discoveries.", 2
    ),
    "climate": Topic(
        "climate", "Climate", "Climate change, energy and the environment.", 3
    ),
    "economy": Topic("economy", "Economy", "Markets, trade, prices and jobs.", 4),
}


@pytest.mark.parametrize(
    ("sections", "keywords", "text", "note"),
    [
        (
            ["Astronomy and astrophysics"],
            [],
            "A giant planet",
            "topic: science (guessed from section 'Astronomy and astrophysics', "
            "low confidence)",
        ),
        (
            ["Science"],
            [],
            "",
            "topic: science (guessed from section 'Science', high confidence)",
        ),
        (
            [],
            ["Cambio climático", "Medio ambiente"],
            "",
            "topic: climate (guessed from keyword 'Cambio climático', low confidence)",
        ),
        (
            ["Economia"],
            ["Markets", "Prices"],
            "",
            "topic: economy (guessed from section 'Economia', medium confidence)",
        ),
        (
            [],
            [],
            "Astronomers find a new planet in deep space",
            "topic: science (guessed from text 'Astronomers find a new planet in deep "
            "space', low confidence)",
        ),
    ],
)
def test_topic_guessed_from_the_declared_names_and_descriptions(
    sections, keywords, text, note
):
    assert guess_topic(TOPICS, sections, keywords, text).note() == note


def test_no_shared_word_no_guess():
    assert guess_topic(TOPICS, ["Sport"], ["Football"], "The cup final") is None
    # "relations" and "relativity" share a start, not a word
    assert (
        guess_topic({"r": Topic("r", "R", "Relativity.", 1)}, ["Relations"], []) is None
    )


@pytest.mark.parametrize(
    ("page", "topic", "same"),
    [
        ("astronomy", "astronomical", True),
        ("clima", "climate", True),
        ("climatico", "climate", True),
        ("energia", "energy", True),
        ("economia", "economy", True),
        ("relations", "relativity", False),
        ("internet", "international", False),
        ("state", "statement", False),
    ],
)
def test_words_match_across_inflections_not_across_meanings(page, topic, same):
    from newsdigest.curate.catalogue import same_word

    assert same_word(page, topic) is same

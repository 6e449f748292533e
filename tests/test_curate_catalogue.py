"""What the digest already holds (newsdigest.curate.catalogue): suggested topic and
tags.
"""

from __future__ import annotations


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

"""content/sources.yml (newsdigest.model.sources): outlets for readers, feeds
for ingest, one loader for both."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from newsdigest.curate.catalogue import load_catalogue
from newsdigest.curate.ingest import ingest
from newsdigest.model.sources import Source, load_sources

TOPICS = {"world": object()}


def load(tmp_path: Path, text: str):
    path = tmp_path / "sources.yml"
    path.write_text(text)
    return load_sources(path, "content/sources.yml", TOPICS)


def test_an_outlet_may_describe_itself_without_a_feed(tmp_path):
    sources, problems = load(
        tmp_path,
        "Example Wire:\n  paywall: metered\n  language: pt-BR\n"
        "  homepage: https://example.com/\nBare Outlet:\n",
    )
    assert problems == []
    assert sources == [
        Source(
            "Example Wire",
            homepage="https://example.com/",
            language="pt-BR",
            paywall="metered",
        ),
        Source("Bare Outlet"),
    ]
    assert sources[0].paywalled and not sources[1].paywalled


def test_every_problem_of_an_outlet_is_reported_at_once(tmp_path):
    _, problems = load(
        tmp_path,
        "Wire:\n  feed: ftp://x\n  topic: sport\n  paywall: maybe\n"
        "  language: '<script>'\n  homepage: javascript:alert(1)\n"
        "wire:\n  paywall: hard\n",
    )
    assert [(p.line, p.field) for p in problems] == [
        (2, "Wire.feed"),  # each on its key's own line
        (6, "Wire.homepage"),
        (3, "Wire.topic"),
        (5, "Wire.language"),
        (4, "Wire.paywall"),
        (7, "wire"),  # the same outlet, whatever the case
    ]
    assert "is the outlet 'Wire' again" in problems[-1].message


def test_ingest_skips_outlets_without_a_feed(tmp_path):
    (tmp_path / "content" / "items").mkdir(parents=True)
    (tmp_path / "content" / "topics.yml").write_text(
        "world:\n  name: World\n  description: The world.\n  order: 1\n"
    )
    catalogue = load_catalogue(tmp_path)
    results = ingest(
        catalogue,
        [Source("Described Only", paywall="hard")],
        now=dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
    )
    assert results == []  # nothing fetched, nothing failed


@pytest.mark.parametrize(
    "language", ["en\n", 'en" onload="x', "english", ["en"], "e", "-en", 7]
)
def test_a_language_is_a_language_tag_and_nothing_more(tmp_path, language):
    text = yaml.safe_dump({"Wire": {"language": language}})
    _, problems = load(tmp_path, text)
    assert [p.field for p in problems] == ["Wire.language"]

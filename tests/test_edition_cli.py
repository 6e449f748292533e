"""newsdigest.edition_cli: the items `edition next` lists, read as a build does."""

from __future__ import annotations

from pelican.settings import DEFAULT_CONFIG

from newsdigest.edition_cli import published_items
from tests.conftest import TOPICS, item

LONG_TITLE = " ".join(["Harbour"] * 30)  # 239 characters: its slug is cut


def settings_for(root, **content):
    return {
        **DEFAULT_CONFIG,
        "PATH": str(root),
        "TIMEZONE": "UTC",
        "ARTICLE_PATHS": ["items"],
        "PAGE_PATHS": ["pages"],
        "DIGEST_CONTENT": {"id_authority": "digest.example.org,2026", **content},
    }


def test_slugs_are_the_readers_also_for_long_titles(tmp_path):
    (tmp_path / "items").mkdir()
    (tmp_path / "topics.yml").write_text(TOPICS)
    (tmp_path / "items" / "a.md").write_text(item(title=LONG_TITLE))
    (record,) = published_items(settings_for(tmp_path), "editions")
    assert record.slug == "-".join(["harbour"] * 18)  # cut at 150 bytes, on a word
    assert len(record.slug.encode()) <= 150


def test_items_with_the_sites_own_labels_are_listed(tmp_path):
    (tmp_path / "items").mkdir()
    (tmp_path / "topics.yml").write_text(TOPICS)
    (tmp_path / "items" / "a.md").write_text(item(title="A", label="fact-check"))
    labels = {
        "news": {"name": "News", "description": "Reporting."},
        "fact-check": {"name": "Fact check", "description": "Claims checked."},
    }
    records = published_items(settings_for(tmp_path, labels=labels), "editions")
    assert [r.slug for r in records] == ["a"]

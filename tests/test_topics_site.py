"""newsdigest.model.topics.load_site_topics: the site's topics file, from its
settings."""

from __future__ import annotations

from newsdigest.model.topics import load_site_topics
from tests.helpers import TOPICS


def settings_for(root, **content):
    return {
        "PATH": str(root),
        "DIGEST_CONTENT": {"id_authority": "digest.example.org,2026", **content},
    }


def test_the_topics_in_their_order(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "topics.yml").write_text(TOPICS)
    topics, problems = load_site_topics(settings_for(content))
    assert problems == []
    assert [(t.slug, t.name, t.order) for t in topics.values()] == [
        ("world", "World", 1),
        ("science", "Science", 2),
    ]


def test_the_file_named_in_the_settings(tmp_path):
    content = tmp_path / "content"
    (content / "config").mkdir(parents=True)
    (content / "config" / "sections.yml").write_text(TOPICS)
    settings = settings_for(content, topics_file="config/sections.yml")
    topics, _ = load_site_topics(settings)
    assert list(topics) == ["world", "science"]


def test_a_missing_file_is_one_problem_naming_it(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    topics, problems = load_site_topics(settings_for(content))
    assert topics == {}
    assert [str(p) for p in problems] == [
        "content/topics.yml: does not exist. Fix: Create it with one entry per "
        "topic: slug, name, description, order."
    ]

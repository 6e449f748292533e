"""Unit tests for newsdigest.model.topics.load_topics: the closed list of topics."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdigest.model.topics import Topic, load_topics

SHOWN = "content/topics.yml"


def load(tmp_path: Path, text: str):
    path = tmp_path / "topics.yml"
    path.write_text(text, encoding="utf-8")
    return load_topics(path, SHOWN)


def found(problems):
    return [(p.path, p.line, p.field, p.message) for p in problems]


def test_valid_file_gives_topics_in_display_order(tmp_path):
    topics, problems = load(
        tmp_path,
        "science:\n"
        "  name: Science\n"
        "  description: Research and discovery.\n"
        "  order: 2\n"
        "world-news:\n"
        "  name: '  World  '\n"
        "  description: Stories from everywhere.\n"
        "  order: 1\n"
        "arts:\n"
        "  name: Arts\n"
        "  description: Culture.\n"
        "  order: 2\n",
    )
    assert problems == []
    assert list(topics) == ["world-news", "arts", "science"]
    assert topics["world-news"] == Topic(
        "world-news", "World", "Stories from everywhere.", 1
    )


def test_a_topic_may_have_no_description(tmp_path):
    path = tmp_path / "topics.yml"
    path.write_text("world:\n  name: World\n  order: 1\n")
    topics, problems = load_topics(path, "content/topics.yml")
    assert problems == []
    assert topics["world"] == Topic("world", "World", "", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "world:\n  description: d\n  order: 1\n",
            [(1, "world.name", "needs a name.")],
        ),
        (
            "world:\n  name: '  '\n  description: d\n  order: 1\n",
            [(1, "world.name", "needs a name.")],
        ),
        (
            "a:\n  name: A\n  description: d\n  order: 1\n"
            "world:\n  name: W\n  description: [a, b]\n  order: 1\n",
            [(5, "world.description", "must be one line of text.")],
        ),
        (
            "world:\n  name: W\n  description: d\n",
            [(1, "world.order", "needs a whole-number display order.")],
        ),
        (
            "world:\n  name: W\n  description: d\n  order: first\n",
            [(1, "world.order", "needs a whole-number display order.")],
        ),
        (
            "world:\n  name: W\n  description: d\n  order: true\n",
            [(1, "world.order", "needs a whole-number display order.")],
        ),
        (
            "world:\n  name: W\n  description: d\n  order: 1.5\n",
            [(1, "world.order", "needs a whole-number display order.")],
        ),
        (
            "World News:\n  name: W\n  description: d\n  order: 1\n",
            [(1, "World News", "is not a valid topic slug.")],
        ),
        (
            "world-:\n  name: W\n  description: d\n  order: 1\n",
            [(1, "world-", "is not a valid topic slug.")],
        ),
        (
            "world:\n  name: W\n  description: d\n  order: 1\n  colour: red\n",
            [(1, "world.colour", "has an unknown key 'colour'.")],
        ),
        (
            "world: World\n",
            [(1, "world", "must be a mapping with name, description and order.")],
        ),
        (
            "- world\n- science\n",
            [(1, None, "is not a mapping of keys to values.")],
        ),
        (
            "world:\n  name: W\n  description: d\n  order: 1\n"
            "world:\n  name: X\n  description: d\n  order: 2\n",
            [(5, "world", "is set twice (first on line 1).")],
        ),
        ("", [(None, None, "declares no topics.")]),
        ("# no topics yet\n", [(None, None, "declares no topics.")]),
    ],
)
def test_each_mistake_is_reported_with_field_and_line(tmp_path, text, expected):
    _, problems = load(tmp_path, text)
    assert found(problems) == [(SHOWN, *problem) for problem in expected]
    assert all(p.fix for p in problems)


def test_every_mistake_in_a_file_is_reported_at_once(tmp_path):
    _, problems = load(
        tmp_path,
        "Bad Slug:\n  name: B\n  description: d\n  order: 1\nworld:\n  extra: 1\n",
    )
    assert [(p.line, p.field) for p in problems] == [
        (1, "Bad Slug"),
        (5, "world.extra"),
        (5, "world.name"),
        (5, "world.order"),
    ]


def test_topic_without_order_is_kept_so_items_can_still_be_checked(tmp_path):
    topics, problems = load(tmp_path, "world:\n  name: W\n  description: d\n")
    assert list(topics) == ["world"]
    assert [p.field for p in problems] == ["world.order"]


def test_invalid_yaml_is_one_problem_with_a_line(tmp_path):
    topics, problems = load(tmp_path, "world:\n  name: [unclosed\n")
    assert topics == {}
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (3, "front matter is not valid YAML")
    ]


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path):
    topics, problems = load_topics(tmp_path / "missing.yml", SHOWN)
    assert topics == {}
    assert found(problems) == [
        (SHOWN, None, None, "cannot be read (No such file or directory).")
    ]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('  name: "World \\uFFFE"', "world.name"),
        ('  description: "Bell \\a here."', "world.description"),
        ("  description: " + "long " * 250, "world.description"),
    ],
)
def test_topic_text_must_be_short_and_visible(tmp_path, line, field):
    key = line.split(":")[0]
    text = "world:\n  name: World\n  description: Everywhere.\n  order: 1\n"
    text = "\n".join(
        line if old.startswith(key + ":") else old for old in text.split("\n")
    )
    path = tmp_path / "topics.yml"
    path.write_text(text)
    topics, problems = load_topics(path, "content/topics.yml")
    assert [p.field for p in problems] == [field]
    assert topics == {}


@pytest.mark.parametrize(
    ("key", "yaml_value", "words"),
    [
        ("name", '"W</title><script>alert(1)</script>"', "contains markup ('</"),
        ("name", '"W<!-- x"', "contains markup ('<!"),
        ("name", '"W<?xml x?>"', "contains markup ('<?"),
        ("description", '"a <evil/> b"', "contains markup ('<e"),
        (
            "description",
            "|\n    Stories.\n    Sitemap: http://evil.example/s.xml",
            "line break",
        ),
        ("description", '"Stories.\\r\\nBcc: x@example.org"', "line break"),
        ("name", '"W\\tX"', "line break or tab"),
        ("name", '"evil\\u202Egpj.exe"', "invisible character (U+202E)"),
        ("name", '"W\\u2028X"', "invisible character (U+2028)"),
        ("name", '"W\\x01X"', "invisible character (U+0001)"),
    ],
)
def test_topic_text_that_could_inject_into_feeds_is_refused(
    tmp_path, key, yaml_value, words
):
    values = {"name": "World", "description": "Stories.", key: yaml_value}
    topics, problems = load(
        tmp_path,
        "world:\n"
        f"  name: {values['name']}\n"
        f"  description: {values['description']}\n"
        "  order: 1\n",
    )
    (problem,) = problems
    assert (problem.path, problem.line, problem.field) == (SHOWN, 1, f"world.{key}")
    assert words in problem.message
    assert topics == {}


def test_topic_text_with_quotes_and_ampersands_is_plain_text(tmp_path):
    topics, problems = load(
        tmp_path,
        "world:\n"
        "  name: 'Tom & \"Jerry\" ]]> a < b -->'\n"
        "  description: '{\"k\": 1} Sitemap: x'\n"
        "  order: 1\n",
    )
    assert problems == []
    assert topics["world"].name == 'Tom & "Jerry" ]]> a < b -->'

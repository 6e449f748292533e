"""Front matter → validated values or problems, without Pelican."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdigest.model.frontmatter import FrontMatterError, split
from newsdigest.model.schema import item_id, validate_item, validate_page
from newsdigest.model.topics import Topic

TOPICS = {"world": Topic("world", "World", "Everywhere.", 1)}
VALID = """\
---
title: "Talks open in Geneva"
date: 2022-01-10 09:30
topic: world
summary: "Delegations met for the first round."
source: Example Wire
source_url: https://example.com/geneva
tags: [NATO, " nato ", Nato, "Security  guarantees"]
authors: Jane Doe
image: {src: https://example.com/a.jpg, alt: "Delegates at the table", credit: Wire}
corrections: [{date: 2022-01-11, text: "Fixed the date of the second round."}]
---
Body text.
"""


def check(text: str, **kwargs):
    return validate_item(
        split(text, "content/items/x.md"),
        TOPICS,
        timezone="Europe/Paris",
        authority="digest.example.org,2026",
        **kwargs,
    )


def problems(text: str) -> list[tuple[int | None, str | None, str]]:
    try:
        result = check(text)
    except FrontMatterError as exc:
        return [(p.line, p.field, p.message) for p in exc.problems]
    return [(p.line, p.field, p.message) for p in result.problems if p.is_error]


def with_field(line: str) -> str:
    """VALID with one front matter line replaced, added, or removed (a bare key)."""
    key = line.split(":")[0]
    lines = VALID.split("\n")
    found = [i for i, text in enumerate(lines) if text.startswith(key + ":")]
    index = found[0] if found else lines.index("---", 1)
    replacement = [] if line == key else [line]
    lines[index : index + (1 if found else 0)] = replacement
    return "\n".join(lines)


def test_valid_item_gives_clean_values():
    result = check(VALID)
    assert result.ok, result.problems
    values = result.values
    assert values["title"] == "Talks open in Geneva"
    assert values["date"] == dt.datetime(
        2022, 1, 10, 9, 30, tzinfo=values["date"].tzinfo
    )
    assert values["date"].utcoffset() == dt.timedelta(hours=1)  # site timezone applied
    assert values["tags"] == [
        "NATO",
        "Security guarantees",
    ]  # one tag, whitespace collapsed
    assert values["authors"] == ["Jane Doe"]
    assert values["label"] == "news" and values["status"] == "published"
    assert values["image"]["alt"] == "Delegates at the table"
    assert values["corrections"][0]["text"] == "Fixed the date of the second round."
    assert values["item_id"] == item_id(
        "digest.example.org,2026", "https://example.com/geneva"
    )


def test_item_id_survives_title_slug_and_date_edits_and_url_spelling():
    edited = VALID.replace("Talks open in Geneva", "Geneva talks begin").replace(
        "2022-01-10 09:30", "2022-01-11"
    )
    assert check(edited).values["item_id"] == check(VALID).values["item_id"]
    assert item_id("a,2026", "https://www.Example.com/geneva/") == item_id(
        "a,2026", "https://example.com/geneva"
    )
    assert (
        check(VALID).values["item_id"].startswith("tag:digest.example.org,2026:item:")
    )


@pytest.mark.parametrize(
    "key", ["title", "date", "topic", "summary", "source", "source_url"]
)
def test_missing_required_field_is_named(key):
    found = problems(with_field(key))
    assert any(field == key and "required" in message for _, field, message in found)


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ("date: 2021-02-30", "date", "cannot be read"),
        ('date: "2021-12"', "date", "partial date"),
        ("date: next tuesday", "date", "not an ISO 8601 date"),
        ("date: 12", "date", "must be a date"),
        ("topic: sport", "topic", "not declared in topics.yml"),
        (
            "source_url: javascript:alert(1)",
            "source_url",
            "not an absolute http(s) URL",
        ),
        ("source_url: /relative/path", "source_url", "not an absolute http(s) URL"),
        (
            "source_url: http://127.0.0.1:8765/feed/story",
            "source_url",
            "points to 127.0.0.1, a loopback address readers cannot reach",
        ),
        (
            "source_url: http://intranet.local/story",
            "source_url",
            "points to intranet.local, a name only this machine or network knows",
        ),
        ("source_url: http://[::1]/a", "source_url", "a loopback address"),
        ("source_url: http://10.0.0.7/a", "source_url", "a private address"),
        ("title: [a, b]", "title", "must be text"),
        ("tags: NATO, Russia", "tags", "must be a list"),
        ("image: photo.jpg", "image", "must be a mapping"),
        ("image: {src: 'javascript:alert(1)', alt: x}", "image.src", "not an allowed"),
        (
            "image: {src: https://example.com/a.jpg}",
            "image.alt",
            "required with an image",
        ),
        ("label: rumour", "label", "not a label"),
        ("corrections: [{date: 2022-01-11}]", "corrections[0].text", "must be text"),
    ],
)
def test_bad_value_gives_its_message(line, field, words):
    found = problems(with_field(line))
    assert any(f == field and words in m for _, f, m in found), found


def test_problem_carries_line_and_fix():
    result = check(with_field("topic: sport"))
    (problem,) = [p for p in result.problems if p.is_error]
    assert (problem.path, problem.line, problem.field) == (
        "content/items/x.md",
        4,
        "topic",
    )
    assert "world" in problem.fix
    assert str(problem).startswith("content/items/x.md:4: [topic]")


@pytest.mark.parametrize("key", ["save_as", "url", "template", "category"])
def test_pelican_output_keys_are_refused(key):
    found = problems(VALID.replace("topic: world", f"topic: world\n{key}: ../../etc/x"))
    assert any(f == key and "not allowed" in m for _, f, m in found)


def test_unknown_key_suggests_the_known_one():
    result = check(VALID.replace("topic: world", "topic: world\ntag: [x]"))
    (problem,) = [p for p in result.problems if p.field == "tag"]
    assert "not a known key" in problem.message and "'tags'" in problem.fix


@pytest.mark.parametrize(
    "slug", ["../escape", "a/b", "..", "Has Space", "dots.in.slug"]
)
def test_unsafe_slug_is_refused(slug):
    found = problems(VALID.replace("topic: world", f"topic: world\nslug: '{slug}'"))
    assert any(f == "slug" for _, f, _ in found)


def test_control_characters_are_an_error_not_a_crash():
    found = problems(
        VALID.replace("Talks open", "Talks\\x1b open").replace('title: "', 'title: "')
    )
    assert any(f == "title" and "control characters" in m for _, f, m in found)


def test_every_problem_of_a_file_is_reported_at_once():
    broken = (
        VALID.replace("topic: world", "topic: sport")
        .replace("label", "x")
        .replace("https://example.com/geneva", "ftp://example.com/x")
    )
    broken = broken.replace("summary:", "colour: red\nsummary:")
    fields = {f for _, f, _ in problems(broken)}
    assert {"topic", "source_url", "colour"} <= fields


def test_long_summary_is_a_warning_only():
    text = VALID.replace(
        '"Delegations met for the first round."',
        '"One. Two sentences here. Three is too many."',
    )
    result = check(text)
    assert result.ok
    assert [p.field for p in result.problems] == ["summary"]


def test_local_image_must_exist():
    text = VALID.replace("https://example.com/a.jpg", "images/missing.jpg")
    result = check(text, asset_exists=lambda src: False)
    assert any(
        p.field == "image.src" and "does not exist" in p.message
        for p in result.problems
    )


def test_page_takes_only_page_keys():
    doc = split(
        "---\ntitle: About\ntopic: world\n---\nHello\n", "content/pages/about.md"
    )
    result = validate_page(doc, timezone="UTC")
    assert [p.field for p in result.problems] == ["topic"]


@pytest.mark.parametrize(
    ("text", "words", "line"),
    [
        ("", "is empty", None),
        ("title: x\n", "does not start with front matter", 1),
        ("---\ntitle: x\n", "never closed", 1),
        ("---\ntitle: [x\n---\n", "not valid YAML", 3),
        ("---\ntitle: a\ntitle: b\n---\n", "set twice", 3),
    ],
)
def test_unreadable_front_matter(text, words, line):
    with pytest.raises(FrontMatterError) as info:
        split(text, "content/items/x.md")
    (problem,) = info.value.problems
    assert words in problem.message and problem.line == line


# --- Hardening: characters, limits, empty choices -------------------------------------


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('title: "A \\uFFFE b"', "title"),
        ('title: "A \\x85 b"', "title"),
        ('summary: "A \\uFDD0 b"', "summary"),
        ('source: "A \\U0001FFFF b"', "source"),
        ('tags: ["a\\x7f"]', "tags[0]"),
    ],
)
def test_yaml_escapes_to_unsafe_characters_are_refused_at_the_field(line, field):
    found = problems(with_field(line))
    assert [(f, "control characters" in m) for _, f, m in found] == [(field, True)]


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ("title: " + "word " * 300, "title", "bytes long"),
        ("tags: [" + ", ".join(f"t{i}" for i in range(21)) + "]", "tags", "21 entries"),
        ("authors: [" + ", ".join(f"a{i}" for i in range(21)) + "]", "authors", "21"),
        (f"tags: [{'x' * 101}]", "tags[0]", "101 bytes"),
        (f"source: {'é' * 51}", "source", "102 bytes"),
        ("slug: " + "-".join(["word"] * 40), "slug", "199 characters"),
        ("slug: con", "slug", "Windows"),
        ("title: " + "9" * 5000, "title", "5,000 characters"),
        ("title: " + "9" * 35, "title", "number"),
        ("label:", "label", "is empty"),
        ('status: ""', "status", "is empty"),
    ],
)
def test_limits_and_empty_choices_name_the_field(line, field, words):
    found = problems(with_field(line))
    assert [f for _, f, _ in found] == [field], found
    assert words in found[0][2]


def test_empty_label_lists_the_choices():
    result = check(with_field("label:"))
    (problem,) = result.problems
    assert problem.fix == (
        "Remove it or use one of: news, opinion, analysis, interview, explainer; "
        "or declare it in DIGEST_CONTENT['labels']."
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("a &#1; b", "&#1;"),
        ("a &#x0B; b", "&#x0B;"),
        ("&#xFFFE;", "&#xFFFE;"),
        ("&#0;", "&#0;"),
        ("&#xD800;", "&#xD800;"),
        ("&#x10FFFF;", "&#x10FFFF;"),
        ("&#99999999999;", "&#99999999999;"),
        ("&#x1f", "&#x1f"),
        ("&#9; &#10; &#x93; &#233; &amp;#1; &#x1F600;", None),
    ],
)
def test_character_references_to_unsafe_characters(text, found):
    from newsdigest.model.schema import unsafe_reference

    match = unsafe_reference(text)
    assert (match.group() if match else None) == found


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("short-slug", "short-slug"),
        ("a" * 150, "a" * 150),
        ("-".join(["word"] * 40), "-".join(["word"] * 30)),
        ("x" * 200, "x" * 150),
    ],
)
def test_long_slugs_are_cut_at_a_word_boundary(slug, expected):
    from newsdigest.model.schema import truncate_slug

    assert truncate_slug(slug) == expected


def test_tags_differing_only_in_unicode_composition_are_one_tag():
    result = check(with_field('tags: ["Cafe\\u0301", "Café"]'))
    assert result.values["tags"] == ["Café"]


def test_local_image_problem_is_named():
    text = VALID.replace("https://example.com/a.jpg", "images/page.html")
    result = check(text, asset_problem=lambda src: f"({src}) is not an image")
    assert [(p.field, p.message) for p in result.problems if p.is_error] == [
        ("image.src", "'images/page.html' (images/page.html) is not an image.")
    ]


def test_outlet_names_are_composed_so_pasted_accents_match():
    result = check(with_field('source: "Le Monde Diploma\\u0301tique"'))
    assert result.values["source"] == "Le Monde Diplomátique"

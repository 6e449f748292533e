"""An item's body: problems found in its HTML, reported at its Markdown line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsdigest.model.body import (
    body_address_problems,
    body_character_problems,
    body_image_problems,
    site_link_problems,
)
from newsdigest.model.frontmatter import Document
from newsdigest.model.sanitize import render_markdown

PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)


def doc(body: str) -> Document:
    return Document(path="content/items/x.md", body=body, body_line=10)


def link_problems(body: str, content: Path) -> list[tuple[int, str]]:
    links = []
    render_markdown(body, links=links)
    problems = site_link_problems(
        doc(body),
        links,
        content_base=content,
        item_dir="items",
        static_paths=["images"],
        content_paths=["items", "pages"],
    )
    return [(p.line, p.message) for p in problems]


def test_each_link_is_reported_at_its_own_line(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(PNG)
    body = (
        "Fine ![a]({static}/images/a.png).\n"
        "[one]({static}../../x)\n"
        "[two]({static}../../x)\n"
        "\n"
        "[three]({attach}x) and [four](|static|../../x)\n"
    )
    assert link_problems(body, tmp_path) == [
        (11, "links to '{static}../../x', which leads out of content/."),
        (12, "links to '{static}../../x', which leads out of content/."),
        (
            14,
            "uses the link prefix '{attach}' ('{attach}x'); only {static} and "
            "{filename} are allowed.",
        ),
        (14, "links to '{static}../../x', which leads out of content/."),
    ]


def test_bare_image_paths_are_reported_with_the_static_fix() -> None:
    body = "Text.\n\n![a](https://e.com/a.png)\n\n![b](images/b.png)\n"
    (problem,) = body_image_problems(doc(body), render_markdown(body))
    assert (problem.line, problem.field) == (14, "body")
    assert "{static}/images/" in problem.fix


def test_links_to_local_addresses_are_reported_at_their_line() -> None:
    body = (
        "Fine [a](https://example.com/a).\n"
        "\n"
        "From the [feed](http://127.0.0.1:8765/story?a=1&b=2) and\n"
        "![x](http://192.168.1.5/x.png) and <http://2130706433/>\n"
    )
    problems = body_address_problems(doc(body), render_markdown(body))
    assert [(p.line, p.field, p.message) for p in problems] == [
        (
            12,
            "body",
            "links to 'http://127.0.0.1:8765/story?a=1&b=2', which points to "
            "127.0.0.1, a loopback address readers cannot reach.",
        ),
        (
            13,
            "body",
            "shows 'http://192.168.1.5/x.png', which points to 192.168.1.5, a "
            "private address readers cannot reach.",
        ),
        (
            13,
            "body",
            "links to 'http://2130706433/', which points to 2130706433, a "
            "loopback address readers cannot reach.",
        ),
    ]


def test_typed_and_referenced_control_characters_are_both_found() -> None:
    body = "One.\nTwo \x07.\nThree &#xFFFE;.\n"
    problems = body_character_problems(doc(body))
    assert [(p.line, p.message.split(",")[0]) for p in problems] == [
        (11, "contains the control character U+0007"),
        (12, "contains '&#xFFFE;'"),
    ]


def slow_render(text: str, **_options: object) -> str:
    """A renderer that never finishes by itself: the deadline must stop it."""
    time.sleep(3600)
    raise AssertionError("the deadline did not interrupt the renderer")


def test_a_body_the_renderer_is_slow_on_is_refused_at_the_deadline() -> None:
    from newsdigest.model.body import render_body

    started = time.monotonic()
    html, reason = render_body("Any text.", [], seconds=0.2, render=slow_render)
    assert (html, reason) == (
        None,
        "takes more than 0.2 s to render (runs of brackets, quotes or markup that "
        "Markdown reads very slowly)",
    )
    assert time.monotonic() - started < 30


def test_a_renderer_that_recurses_too_deep_is_a_refusal_not_a_crash() -> None:
    from newsdigest.model.body import render_body

    def recursing(text: str, **_options: object) -> str:
        raise RecursionError

    assert render_body("x", [], render=recursing) == (
        None,
        "is nested too deeply (lists or quotes inside each other)",
    )


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        ("Plain text.\n", 0),
        ("- a\n    - b\n        - c\n", 2),
        ("> a\n> > b\n>>> c\n", 3),
        ("\t\t- two tabs\n", 2),
        ("```\n" + " " * 400 + "code is not nested\n```\nafter\n", 0),
        ("> - a\n>     - b\n", 2),
    ],
)
def test_nesting_is_counted_on_the_markdown(body: str, depth: int) -> None:
    from newsdigest.model.body import nesting_depth

    assert nesting_depth(body)[0] == depth


def test_deeply_nested_lists_are_refused_before_rendering() -> None:
    from newsdigest.model.body import MAX_NESTING, render_body

    body = "".join("    " * depth + "- x\n" for depth in range(300))
    html, reason = render_body(body, [], seconds=60, render=slow_render)
    assert html is None
    assert reason == (
        f"is nested too deeply (299 levels of lists or quotes inside each other; "
        f"at most {MAX_NESTING})"
    )


def test_deeply_nested_quotes_are_refused_before_rendering() -> None:
    from newsdigest.model.body import render_body

    html, reason = render_body(">" * 200 + " x\n", [], render=slow_render)
    assert html is None and "200 levels" in (reason or "")


def test_nesting_a_curator_writes_renders() -> None:
    from newsdigest.model.body import MAX_NESTING, render_body

    body = "".join("    " * depth + "- x\n" for depth in range(MAX_NESTING + 1))
    html, reason = render_body(body, [])
    assert reason is None and html is not None and html.count("<ul>") == MAX_NESTING + 1


def test_an_ordinary_body_renders_within_the_bound() -> None:
    from newsdigest.model.body import render_body

    html, reason = render_body("Text with [a link](https://e.com/).\n", [])
    assert reason is None
    assert html == (
        '<p>Text with <a href="https://e.com/" rel="noopener noreferrer">a link</a>'
        ".</p>"
    )

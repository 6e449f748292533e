"""An item's body: problems found in its HTML, reported at its Markdown line."""

from __future__ import annotations

from pathlib import Path

from newsdigest.body import (
    body_character_problems,
    body_image_problems,
    site_link_problems,
)
from newsdigest.frontmatter import Document
from newsdigest.sanitize import render_markdown

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


def test_typed_and_referenced_control_characters_are_both_found() -> None:
    body = "One.\nTwo \x07.\nThree &#xFFFE;.\n"
    problems = body_character_problems(doc(body))
    assert [(p.line, p.message.split(",")[0]) for p in problems] == [
        (11, "contains the control character U+0007"),
        (12, "contains '&#xFFFE;'"),
    ]


def test_a_body_markdown_would_take_hours_on_is_refused_in_bounded_time() -> None:
    from newsdigest.body import render_body

    html, reason = render_body("[" * 50_000, [], seconds=0.5)
    assert html is None
    assert "takes more than 0.5 s to render" in (reason or "")


def test_deeply_nested_lists_are_refused_not_a_crash() -> None:
    from newsdigest.body import render_body

    body = "".join("    " * depth + "- x\n" for depth in range(300))
    html, reason = render_body(body, [], seconds=60)
    assert html is None
    assert "nested too deeply" in (reason or "")


def test_an_ordinary_body_renders_within_the_bound() -> None:
    from newsdigest.body import render_body

    html, reason = render_body("Text with [a link](https://e.com/).\n", [])
    assert reason is None
    assert html == (
        '<p>Text with <a href="https://e.com/" rel="noopener noreferrer">a link</a>'
        ".</p>"
    )

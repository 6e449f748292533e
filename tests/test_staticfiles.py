"""Which files under content/ may be published, and what a body may link to."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdigest.model.staticfiles import (
    content_relative,
    link_problem,
    link_target,
    static_file_problem,
    svg_problem,
)
from tests.helpers import HOSTILE_SVGS, REPO

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


@pytest.mark.parametrize("svg", sorted((REPO / "content" / "images").glob("*.svg")))
def test_sample_svgs_are_publishable(svg: Path) -> None:
    assert svg_problem(svg.read_bytes()) is None


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(#g)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/'
        'xlink"><defs><g id="a"/></defs><use xlink:href="#a"/></svg>',
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'
        "><style>rect { fill: #123 }</style><title>Harbour</title></svg>",
    ],
)
def test_plain_svgs_with_local_references_pass(svg: str) -> None:
    assert svg_problem(svg.encode()) is None


@pytest.mark.parametrize("name", sorted(HOSTILE_SVGS))
def test_active_svgs_are_refused(name: str) -> None:
    data = HOSTILE_SVGS[name]
    assert svg_problem(data if isinstance(data, bytes) else data.encode()) is not None


def test_billion_laughs_is_refused_without_expanding() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol">'
        + "".join(
            f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + ']><svg xmlns="http://www.w3.org/2000/svg"><text>&i;</text></svg>'
    )
    assert "DOCTYPE" in (svg_problem(bomb.encode()) or "")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("photo.png", PNG, None),
        ("photo.PNG", PNG, None),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(16), None),
        ("photo.gif", b"GIF89a" + bytes(16), None),
        ("photo.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", None),
        ("photo.avif", b"\x00\x00\x00\x1cftypavif", None),
        ("page.html", b"<p>x</p>", "only images"),
        ("page.xhtml", b"<p>x</p>", "only images"),
        ("x.svgz", b"\x1f\x8b", "only images"),
        ("x.js", b"alert(1)", "only images"),
        ("README", b"x", "no extension"),
        ("fake.png", b"<html><script>alert(1)</script>", "not a PNG"),
        ("fake.gif", PNG, "not a GIF"),
    ],
)
def test_static_files_are_images_of_their_type(
    tmp_path: Path, name: str, data: bytes, expected: str | None
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    problem = static_file_problem(path)
    if expected is None:
        assert problem is None
    else:
        assert expected in (problem or "")


@pytest.mark.parametrize(
    ("item_dir", "target", "expected"),
    [
        ("items", "../images/a.png", "images/a.png"),
        ("items", "/images/a.png", "images/a.png"),
        ("items/2022", "../../images/a.png", "images/a.png"),
        ("items", "other.md#top", "items/other.md"),
        ("items", "../../x", None),
        ("items", "/../x", None),
        ("items", "//etc/passwd", None),
        ("items", "..", "."),
    ],
)
def test_link_targets_resolve_like_pelican(
    item_dir: str, target: str, expected: str | None
) -> None:
    result = link_target(item_dir, target)
    assert result == (None if expected == "." else expected)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    (root / "items").mkdir()
    (root / "images" / "a.png").write_bytes(PNG)
    (root / "images" / "page.html").write_text("<script>alert(1)</script>")
    (root / "items" / "other.md").write_text("---\ntitle: x\n---\n")
    (root / "topics.yml").write_text("x: {}\n")
    (tmp_path / "secret.png").write_bytes(PNG)
    (root / "images" / "link.png").symlink_to(tmp_path / "secret.png")
    (root / "images" / "inside.png").symlink_to(root / "images" / "a.png")
    return root


@pytest.mark.parametrize(
    ("what", "target", "expected"),
    [
        ("static", "../images/a.png", None),
        ("static", "/images/a.png", None),
        ("filename", "other.md", None),
        ("filename", "/items/other.md#part", None),
        ("static", "../../secret.png", "leads out of content/"),
        ("static", "/topics.yml", "not in a static folder"),
        ("static", "other.md", "not in a static folder"),
        ("static", "../images/page.html", "only images"),
        ("static", "../images/link.png", "symbolic link"),
        ("static", "../images/inside.png", "symbolic link"),
        ("static", "../images/missing.png", "does not exist"),
        ("filename", "/topics.yml", "not in the items or pages"),
        ("filename", "../../secret.png", "leads out of content/"),
    ],
)
def test_link_problems(content: Path, what: str, target: str, expected: str | None):
    problem = link_problem(
        content,
        "items",
        what,
        target,
        static_paths=["images"],
        content_paths=["items", "pages"],
    )
    if expected is None:
        assert problem is None
    else:
        assert expected in (problem or "")


def test_content_relative_accepts_both_spellings_of_a_linked_project(tmp_path):
    real = tmp_path / "real"
    (real / "content" / "items").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    for base in (real / "content", link / "content"):
        for source in (real, link):
            path = str(source / "content" / "items" / "a.md")
            assert content_relative(base, path) == "items/a.md"
    assert content_relative(real / "content", str(tmp_path / "elsewhere.md")) is None

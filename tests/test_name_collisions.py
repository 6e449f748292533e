"""Names and addresses that differ only by letter case or Unicode form.

On Linux ``Paris.png`` and ``paris.png``, or ``café`` written NFC and NFD, are
two files; on macOS, Windows and web hosts that fold names they are one, and
one silently replaces the other (or a checkout keeps only one). Every such pair
is refused with both files named, the field and line where there is one, and
the fix.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsdigest.model.addresses import folded_collisions, path_key
from newsdigest.model.site import (
    LINES_KEY,
    duplicate_problems,
    folded_name_problems,
    folded_output_problems,
)
from tests.helpers import item, output_of

NFC = unicodedata.normalize("NFC", "café")
NFD = unicodedata.normalize("NFD", "café")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("images/Paris.png", "images/paris.png"),
        (f"images/{NFC}.png", f"images/{NFD}.png"),
        ("2022/01/straße/index.html", "2022/01/STRASSE/index.html"),
        ("A/b/../c.html", "a/C.html"),
    ],
)
def test_paths_one_file_on_a_folding_system_share_a_key(a, b):
    assert a != b and path_key(a) == path_key(b)
    assert folded_collisions([(a, 1), (b, 2)]) == [sorted([(a, 1), (b, 2)])]


def test_paths_that_only_look_alike_do_not_collide():
    assert folded_collisions([("a/x.html", 1), ("a/y.html", 2), ("a/x.html", 3)]) == []


def content(root: Path, name: str, save_as: str, **lines: int) -> SimpleNamespace:
    return SimpleNamespace(
        source_path=str(root / name),
        save_as=save_as,
        source_url=None,
        **{LINES_KEY: lines},
    )


def test_an_item_and_a_static_file_at_one_folded_address_are_both_refused(tmp_path):
    root = tmp_path / "content"
    settings = {"PATH": str(root)}
    page = content(root, "pages/gallery.md", "Gallery/index.html", title=2)
    image = content(root, "images/gallery/index.html", "gallery/index.html")

    problems = folded_output_problems([page], [image], settings)

    assert [(p.path, p.line, p.field) for p in problems] == [
        ("content/pages/gallery.md", 2, "slug"),
        ("content/images/gallery/index.html", None, None),
    ]
    assert "writes to Gallery/index.html; content/images/gallery/index.html " in (
        problems[0].message
    )
    assert "letter case or Unicode form" in problems[0].message
    assert "different 'slug'" in problems[0].fix
    assert "content/pages/gallery.md writes to Gallery/index.html" in (
        problems[1].message
    )
    assert "Rename one of the files" in problems[1].fix


def test_names_in_one_folder_that_fold_together_are_refused_saying_which_is_which(
    tmp_path,
):
    (tmp_path / "images").mkdir()
    for name in (f"{NFC}.png", f"{NFD}.png", "Paris.png", "paris.png", "rome.png"):
        (tmp_path / "images" / name).write_bytes(PNG)

    problems = folded_name_problems(tmp_path, "content")

    assert sorted(p.path for p in problems) == sorted(
        f"content/images/{n}"
        for n in (f"{NFC}.png", f"{NFD}.png", "Paris.png", "paris.png")
    )
    nfc = next(p for p in problems if p.path == f"content/images/{NFC}.png")
    assert nfc.message.startswith(f"{NFC}.png (Unicode NFC) and content/images/")
    assert f"{NFD}.png (Unicode NFD, decomposed)" in nfc.message
    upper = next(p for p in problems if p.path == "content/images/Paris.png")
    assert "and content/images/paris.png:" in upper.message
    assert upper.fix == "Rename or merge one of them."


def test_two_items_writing_one_address_are_refused_at_their_title_line(tmp_path):
    root = tmp_path / "content"
    settings = {"PATH": str(root), "DIRECT_TEMPLATES": []}
    a = content(root, "items/a.md", "2022/01/strasse/index.html", title=2)
    b = content(root, "items/b.md", "2022/01/strasse/index.html", slug=4)

    problems = duplicate_problems([a, b], settings)

    assert [(p.path, p.line, p.field) for p in problems] == [
        ("content/items/a.md", 2, "slug"),
        ("content/items/b.md", 4, "slug"),
    ]


@pytest.mark.slow
def test_a_build_with_colliding_names_is_refused_and_publishes_nothing(make_project):
    project = make_project()
    project.write("content/items/one.md", item(source_url="https://e.com/1"))
    project.write("content/images/Paris.png", PNG)
    project.write("content/images/paris.png", PNG)
    project.write(f"content/images/{NFC}.png", PNG)
    project.write(f"content/images/{NFD}.png", PNG)

    result = project.build()

    out = " ".join(output_of(result).split())
    assert result.returncode != 0
    assert "Traceback" not in out
    assert (
        "content/images/Paris.png file: Paris.png and content/images/paris.png" in out
    )
    assert f"content/images/{NFD}.png (Unicode NFD, decomposed)" in out
    assert "letter case or Unicode form" in out and "Rename or merge" in out
    assert not project.output.exists()

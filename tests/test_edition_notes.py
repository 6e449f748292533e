"""Editors' notes (newsdigest.editions.notes): each mistake named with its file, line
and field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdigest.editions.notes import read_note
from newsdigest.editions.periods import WEEKLY
from tests.helpers import write_note


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("2021-W53.md", "---\ntitle: x\n---\n", (None, None, "does not name")),
        ("2022-W01.md", "---\ncolour: red\n---\n", (2, "colour", "not a note key")),
        ("2022-W01.md", "---\nnumber: 0\n---\n", (2, "number", "whole number")),
        ("2022-W01.md", "---\nnumber: yes\n---\n", (2, "number", "whole number")),
        ("2022-W01.md", "---\nhighlights: a-slug\n---\n", (2, "highlights", "list")),
        ("2022-W01.md", "---\nhighlights:\n  - [x]\n---\n", (3, "highlights", "entry")),
        ("2022-W01.md", "---\ntitle: [1, 2]\n---\n", (2, "title", "line of text")),
        ("2022-W01.md", "---\ntitle: ok\n", (1, None, "never closed")),
    ],
)
def test_note_problems_name_file_line_and_field(
    tmp_path: Path, name: str, text: str, expected: tuple
) -> None:
    path = write_note(tmp_path, name, text)
    note, problems = read_note(path, f"content/editions/{name}", WEEKLY)
    assert note is None
    line, field, words = expected
    assert [(p.line, p.field) for p in problems] == [(line, field)]
    assert words in problems[0].message
    assert problems[0].path == f"content/editions/{name}"

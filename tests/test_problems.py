"""Problem reports (newsdigest.problems): one line per problem, grouped text for
people, JSON for CI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from newsdigest.problems import ERROR, WARNING, Problem, Report, content_path


# --- Report formatting ---------------------------------------------------------------
def p(path, line=None, field=None, message="m", severity=ERROR, fix=""):
    return Problem(path, line, field, message, fix, severity)


def test_text_report_groups_by_file_errors_first_and_sorts_lines():
    report = Report()
    report.extend(
        [
            p("content/b.md", 7, "title", "is empty.", fix="Add a title."),
            p("content/a.md", None, None, "is not UTF-8.", WARNING),
            p("content/b.md", None, None, "is too big."),
            p("content/a.md", 3, "date", "is in the future."),
            p("content/b.md", 2, "topic", "is unknown.", WARNING),
        ]
    )
    assert report.format_text() == "\n".join(
        [
            "Errors (3):",
            "  content/a.md",
            "    line 3 [date]: is in the future.",
            "  content/b.md",
            "    file: is too big.",
            "    line 7 [title]: is empty.",
            "      fix: Add a title.",
            "Warnings (2):",
            "  content/a.md",
            "    file: is not UTF-8.",
            "  content/b.md",
            "    line 2 [topic]: is unknown.",
        ]
    )


def test_empty_report_says_so():
    assert Report().format_text() == "No problems found."
    assert not Report()


def test_warnings_only_report_has_no_errors_section():
    report = Report([p("x.md", 1, message="odd.", severity=WARNING)])
    assert report.format_text() == "Warnings (1):\n  x.md\n    line 1: odd."
    assert report.errors == []


def test_json_report_lists_errors_and_warnings_with_counts():
    report = Report()
    report.add(p("b.md", 2, "title", "is empty.", fix="Add one."))
    report.add(p("a.md", 1, None, "hm.", WARNING))
    report.add(p("a.md", None, "date", "bad."))
    data = json.loads(report.format_json())
    assert data == {
        "errors": [
            {
                "path": "a.md",
                "line": None,
                "field": "date",
                "message": "bad.",
                "fix": "",
                "severity": "error",
                "check": "content",
            },
            {
                "path": "b.md",
                "line": 2,
                "field": "title",
                "message": "is empty.",
                "fix": "Add one.",
                "severity": "error",
                "check": "content",
            },
        ],
        "warnings": [
            {
                "path": "a.md",
                "line": 1,
                "field": None,
                "message": "hm.",
                "fix": "",
                "severity": "warning",
                "check": "content",
            }
        ],
        "summary": {"errors": 2, "warnings": 1},
    }


def test_json_report_keeps_non_ascii_text():
    report = Report([p("content/café.md", 1, message="naïve “quote”.")])
    assert "content/café.md" in report.format_json()
    assert "“quote”" in report.format_json()


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (
            p("a.md", 3, "title", "is empty.", fix="Add one."),
            "a.md:3: [title] is empty. Fix: Add one.",
        ),
        (p("a.md", None, None, "is empty."), "a.md: is empty."),
    ],
)
def test_one_problem_reads_as_one_line(problem, expected):
    assert str(problem) == expected


def test_named_from_the_project_as_the_settings_spell_it(tmp_path, monkeypatch):
    real = tmp_path / "elsewhere" / "real-content"
    (real / "items").mkdir(parents=True)
    (tmp_path / "site").mkdir()
    os.symlink(real, tmp_path / "site" / "content")
    monkeypatch.chdir(tmp_path / "site")
    settings = {"PATH": "content"}
    # Through the link or through its target: the name the curator knows.
    assert content_path(settings, "content/items/a.md") == "content/items/a.md"
    assert content_path(settings, str(real / "items" / "a.md")) == "content/items/a.md"


def test_a_path_outside_content_is_shown_as_it_is(tmp_path):
    settings = {"PATH": str(tmp_path / "content")}
    assert content_path(settings, "/somewhere/else/b.md") == "/somewhere/else/b.md"
    assert content_path(settings, str(tmp_path / "content" / "x.md")) == str(
        Path("content") / "x.md"
    )

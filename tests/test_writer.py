"""The checking writer: pages are checked from the string Pelican writes.

A build's site checks must see exactly what was written, name the content file
a broken page came from, and change nothing in the output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import Template
from pelican.settings import DEFAULT_CONFIG

from newsdigest.plugins.writer import CheckingWriter, get_writer
from newsdigest.sitecheck import attached_checker, check_build
from tests.helpers import PINNED_ENV, item, tree

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<a href="{{ link }}">more</a>
</main></body>
</html>
"""


def test_writer_checks_the_string_it_writes(tmp_path: Path) -> None:
    output = tmp_path / "output"
    settings = {**DEFAULT_CONFIG, "PATH": str(tmp_path / "content")}
    writer = CheckingWriter(str(output), settings=settings)
    story = SimpleNamespace(source_path=str(tmp_path / "content/items/story.md"))
    writer.write_file(
        "story/index.html",
        Template(PAGE),
        {"title": "Story", "link": "../gone/"},
        article=story,
    )
    writer.write_file("index.html", Template(PAGE), {"title": "Home", "link": "story/"})
    # The file now links home (same size): the check judges what was written.
    page = output / "story" / "index.html"
    page.write_text(page.read_text().replace("../gone/", "..//////"))
    report = check_build(output)
    assert [(p.path, p.line, p.check, p.source) for p in report.problems] == [
        ("story/index.html", 6, "links", "content/items/story.md")
    ]
    assert "leads to gone/" in report.problems[0].message
    assert attached_checker(output) is None, "an attached checker is used once"


def test_writer_checks_nothing_when_checks_are_off(tmp_path: Path) -> None:
    settings = {**DEFAULT_CONFIG, "DIGEST_PUBLISH": {"checks": []}}
    assert get_writer(SimpleNamespace(settings=settings)) is CheckingWriter
    writer = CheckingWriter(str(tmp_path / "output"), settings=settings)
    writer.write_file("index.html", Template(PAGE), {"title": "Home", "link": "gone/"})
    assert writer.checker is None
    assert attached_checker(tmp_path / "output") is None
    assert (tmp_path / "output" / "index.html").is_file()


@pytest.mark.slow
def test_build_names_the_item_behind_a_broken_page(make_project) -> None:
    project = make_project()
    project.write(
        "content/items/broken-link.md",
        item(title="Broken link", body="See [the page](../../no-such-page/).\n"),
    )
    result = project.build()
    out = result.stdout + result.stderr
    assert result.returncode != 0
    # at the item's line that holds the link, the built page's line aside
    assert "content/items/broken-link.md" in out and "line 9 [body]" in out
    assert "(on the built page 2022/01/broken-link/index.html line" in " ".join(
        out.split()
    )
    assert "no-such-page" in out and "Traceback" not in out


@pytest.mark.slow
def test_checking_changes_nothing_in_the_output(make_project) -> None:
    checked = make_project(sample=True)
    unchecked = make_project(sample=True)
    assert checked.build().returncode == 0
    result = unchecked.build(DIGEST_PUBLISH={"checks": []})
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree(checked.output, reproducible=True) == tree(
        unchecked.output, reproducible=True
    )


def test_a_page_written_again_is_judged_by_its_last_version(tmp_path: Path) -> None:
    output = tmp_path / "output"
    settings = {**DEFAULT_CONFIG, "PATH": str(tmp_path / "content")}
    writer = CheckingWriter(str(output), settings=settings)
    broken = {"title": "", "link": "/gone/"}
    writer.write_file("index.html", Template(PAGE), broken)
    fixed = {"title": "Home", "link": "./"}
    writer.write_file("index.html", Template(PAGE), fixed, override_output=True)
    assert check_build(output).problems == []


def test_a_checked_build_needs_neither_feedparser_nor_html5lib(make_project) -> None:
    """The build's checks parse each page and feed once, in this process."""
    project = make_project(sample=True)
    script = (
        "import sys\n"
        "from newsdigest.engine.run import build_in_process\n"
        "report = build_in_process(__import__('pathlib').Path('.'), 'pelicanconf.py')\n"
        "assert not report.errors, report.format_text()\n"
        "print(sorted({'feedparser', 'html5lib'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project.root,
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert (project.output / "index.html").is_file()


def test_a_page_changed_after_writing_is_checked_from_disk(tmp_path: Path) -> None:
    """A plugin rewriting pages at the end (a minifier, say) is what gets published."""
    output = tmp_path / "output"
    settings = {**DEFAULT_CONFIG, "PATH": str(tmp_path / "content")}
    writer = CheckingWriter(str(output), settings=settings)
    story = SimpleNamespace(source_path=str(tmp_path / "content/items/story.md"))
    writer.write_file(
        "story/index.html",
        Template(PAGE),
        {"title": "Story", "link": "../"},
        article=story,
    )
    writer.write_file("index.html", Template(PAGE), {"title": "Home", "link": "story/"})
    page = output / "story" / "index.html"
    page.write_text(page.read_text().replace('href="../"', 'href="../gone/"'))
    (output / "index.html").unlink()
    report = check_build(output)
    assert sorted((p.path, p.line, p.source) for p in report.problems) == [
        ("story/index.html", 6, "content/items/story.md")
    ]
    assert "leads to gone/" in report.problems[0].message

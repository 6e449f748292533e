"""Whole builds of small projects: what reaches the pages, what stops the build."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import item


@pytest.mark.slow
def test_non_markdown_files_among_items_stop_the_build(make_project):
    project = make_project()
    project.write("content/items/ok.md", item())
    project.write("content/items/raw.html", "<h1>Raw</h1><script>alert(1)</script>")
    project.write(
        "content/pages/notes.rst", "Notes\n=====\n\n.. raw:: html\n\n   <b>x</b>\n"
    )
    result = project.build()
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "content/items/raw.html" in out and "content/pages/notes.rst" in out
    assert "is not a Markdown item" in out
    assert not project.output.exists()


@pytest.mark.slow
def test_json_ld_cannot_be_closed_by_a_title(make_project):
    project = make_project()
    title = 'Breaking </script><script>alert("x")</script> & more'
    project.write("content/items/a.md", item(title=title, slug="breaking"))
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    html = project.page("2022/01/breaking/index.html")
    article, _breadcrumbs = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    assert json.loads(article)["headline"] == title
    assert "<script>alert" not in html


@pytest.mark.slow
def test_warnings_are_listed_in_the_build_summary(make_project):
    project = make_project()
    long = "One sentence. Another sentence. A third sentence is too many."
    project.write("content/items/a.md", item(summary=long))
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content/items/a.md" in result.stdout and "[summary]" in result.stdout
    assert re.search(
        r"newsdigest: 1 items, \d+ pages, \d+ feeds, 1 warnings", result.stdout
    )


@pytest.mark.slow
def test_item_image_reaches_page_and_feed(make_project):
    project = make_project()
    project.write("content/images/map.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>')
    image = {
        "src": "images/map.svg",
        "alt": "A map of the region",
        "credit": "Our desk",
    }
    project.write("content/items/a.md", item(image=image, slug="mapped"))
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    page = project.page("2022/01/mapped/index.html")
    assert 'alt="A map of the region"' in page and "Our desk" in page
    feed = project.page("feeds/all.atom.xml")
    assert "http://127.0.0.1:8000/images/map.svg" in feed


@pytest.mark.slow
def test_local_addresses_are_refused_at_their_line_in_the_item(make_project):
    project = make_project()
    project.write(
        "content/items/b.md",
        item(
            title="B story",
            source_url="http://127.0.0.1:8765/feed/b",
            body="Read [it](http://localhost:8765/x).\n",
        ),
    )
    result = project.build()
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert (
        "content/items/b.md line 7 [source_url]: 'http://127.0.0.1:8765/feed/b' "
        "points to 127.0.0.1, a loopback address readers cannot reach."
    ) in out
    assert (
        "line 9 [body]: links to 'http://localhost:8765/x', which points to "
        "localhost, a name only this machine or network knows."
    ) in out
    assert "index.html" not in out  # no built page is named


@pytest.mark.slow
def test_a_site_check_problem_names_the_item_line_that_holds_the_url(make_project):
    project = make_project()
    project.write(
        "content/items/a.md",
        item(
            title="A story",
            slug="a",
            date="2022-01-04",
            body="First line.\n\nSee [the list](/2099/01/nope/) here.\n",
        ),
    )
    result = project.build()
    out = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert (
        "content/items/a.md line 12 [body]: link '/2099/01/nope/' leads to "
        "2099/01/nope/, which is not in the built site (on the built page "
        "2022/01/a/index.html line "
    ) in out

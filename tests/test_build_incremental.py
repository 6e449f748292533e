"""Incremental output, end to end: a build that links unchanged files from the
live build gives the same site, byte for byte, as a cold build of the same
content, and never changes a file of the build it shares files with."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from newsdigest.engine.run import run_pelican
from tests.helpers import PINNED_ENV, Project, item, tree

FIRST_ITEM = "content/items/2022-01-05-city-heat-pump-grants.md"
FEEDS_LIMIT_3 = {"limit": 3, "base_url": "http://127.0.0.1:8000"}
GONE_ITEM = "content/items/2021-12-21-opinion-january-talks-small-steps.md"


def cold_tree(project: Project, tmp_path: Path, name: str, **overrides) -> dict:
    """The same content built from nothing: no cache, no earlier build."""
    copy = tmp_path / name
    shutil.copytree(
        project.root,
        copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            "output", "output-dev", ".output*", "cache", "__pycache__"
        ),
    )
    cold = Project(copy)
    result = cold.build(**overrides)
    assert result.returncode == 0, result.stdout + result.stderr
    return tree(cold.output, reproducible=True)


def build(project: Project, **overrides) -> Path:
    """An incremental build; checks the build it replaced was left untouched."""
    before = project.output.resolve() if project.output.is_symlink() else None
    before_tree = tree(before) if before else None
    result = project.build(**overrides)
    assert result.returncode == 0, result.stdout + result.stderr
    if before is not None:
        assert tree(before) == before_tree, "a file of the live build was changed"
    return project.output.resolve()


def shared(old: Path, new: Path) -> float:
    """The share of the new build's pages and feeds that are the old one's files."""
    pages = [p for p in new.rglob("*") if p.suffix in (".html", ".xml")]
    same = [p for p in pages if os.path.samefile(p, old / p.relative_to(new))]
    return len(same) / len(pages)


@pytest.mark.slow
def test_incremental_builds_equal_cold_builds(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    project = make_project(sample=True)
    first = build(project)
    second = build(project)
    assert shared(first, second) == 1.0, "nothing changed: every page is linked"

    # An item retitled (it shows on listings, feeds and related stories) and
    # another one deleted.
    path = project.root / FIRST_ITEM
    path.write_text(path.read_text().replace('title: "', 'title: "Retitled: ', 1))
    (project.root / GONE_ITEM).unlink()
    third = build(project)
    assert tree(third, reproducible=True) == cold_tree(project, tmp_path, "cold1")
    assert 0 < shared(second, third) < 1

    # A new item with a new tag, and the about page (in every page's menu) renamed.
    project.write(
        "content/items/2022-01-20-new-story.md",
        item(
            title="A new story",
            date="2022-01-20T09:00:00+00:00",
            topic="health",
            tags=["brand-new"],
        ),
    )
    about = project.content / "pages" / "about.md"
    about.write_text(about.read_text().replace("title: ", "title: All about ", 1))
    fourth = build(project)
    assert tree(fourth, reproducible=True) == cold_tree(project, tmp_path, "cold2")
    assert (fourth / "tags" / "brand-new" / "index.html").is_file()

    # A setting every page shows.
    fifth = build(project, SITENAME="Renamed Digest")
    assert tree(fifth, reproducible=True) == cold_tree(
        project, tmp_path, "cold3", SITENAME="Renamed Digest"
    )
    assert shared(fourth, fifth) == 0.0, "a new site key: nothing is linked"

    # A feature's settings (a frozen config): the feeds list fewer items.
    sixth = build(project, DIGEST_FEEDS=FEEDS_LIMIT_3)
    assert tree(sixth, reproducible=True) == cold_tree(
        project, tmp_path, "cold4", DIGEST_FEEDS=FEEDS_LIMIT_3
    )


PARALLEL_ALWAYS = """\
from newsdigest.engine import parallel
from newsdigest.plugins import writer


def register():
    parallel.PARALLEL_MIN_JOBS = 1  # render the sample's pages in workers too
    writer.FLUSH_BATCH = 7  # and in many batches
"""


@pytest.mark.slow
def test_pages_rendered_in_workers_equal_pages_rendered_in_turn(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    serial = make_project(sample=True)
    assert serial.build().returncode == 0
    forked = make_project(sample=True)
    forked.write("parallel_always.py", PARALLEL_ALWAYS)
    with (forked.root / "pelicanconf.py").open("a") as conf:
        conf.write('\nPLUGIN_PATHS = ["."]\nPLUGINS = [*PLUGINS, "parallel_always"]\n')
    result = run_pelican(forked.root, env=PINNED_ENV, extra=["-D"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "jobs in" in result.stdout + result.stderr, "the pages were not forked"
    assert tree(forked.output, reproducible=True) == tree(
        serial.output, reproducible=True
    )


@pytest.mark.slow
def test_a_published_file_changed_in_place_is_written_again(
    make_project: Callable[..., Project],
) -> None:
    project = make_project(sample=True)
    first = build(project)
    page = first / "about" / "index.html"
    original = page.read_bytes()
    with page.open("ab") as file:  # same inode, new bytes: not what was built
        file.write(b"<!-- tampered -->")
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    rebuilt = project.output.resolve() / "about" / "index.html"
    assert rebuilt.read_bytes() == original
    assert not os.path.samefile(rebuilt, page)

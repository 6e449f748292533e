"""The dev server's logic (newsdigest.engine.devserver) and the in-memory read cache it
turns on: what a change leads to, and that a rebuild in memory builds exactly
what `pelican content -s pelicanconf.py` builds."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import newsdigest
from newsdigest.engine.devserver import BuilderProcess, WatchedPaths, plan
from newsdigest.engine.readcache import FOLDER, ItemCache, dependencies, keep_in_memory
from tests.helpers import PINNED_ENV, tree

CODE = Path(newsdigest.__file__).resolve().parent
SEED_ITEM = "content/items/2022-01-02-lavrov-security-guarantees-warning.md"
SEED_PAGE = (
    "2022/01/lavrov-says-russia-will-take-necessary-measures-if-the-west-does-"
    "not-answer-its-security-proposals/index.html"
)


@pytest.fixture
def watched(tmp_path: Path) -> WatchedPaths:
    return WatchedPaths(
        content=tmp_path / "content",
        theme=CODE / "themes" / "digest",
        settings_file=tmp_path / "pelicanconf.py",
    )


# --- What a change leads to ------------------------------------------------------


@pytest.mark.parametrize(
    ("changed", "action"),
    [
        (["content/items/a.md"], "rebuild"),
        (["content/topics.yml"], "rebuild"),
        (["content/images/new.png"], "rebuild"),
        (["pelicanconf.py"], "restart"),
        (["content/items/a.md", "pelicanconf.py"], "restart"),
        (["output/index.html"], "ignore"),
        (["publishconf.py"], "ignore"),
        ([], "ignore"),
    ],
)
def test_a_change_in_the_project_is_planned(watched, tmp_path, changed, action):
    assert plan([tmp_path / name for name in changed], watched) == action


def test_newsdigest_code_restarts_but_its_theme_rebuilds(watched):
    assert plan([CODE / "reader.py"], watched) == "restart"
    assert plan([CODE / "curate" / "add.py"], watched) == "restart"
    theme = CODE / "themes" / "digest"
    assert plan([theme / "templates" / "base.html"], watched) == "rebuild"
    assert plan([theme / "static" / "css" / "digest.css"], watched) == "rebuild"
    # Not Python: a template of the project skeleton changes no running code.
    assert plan([CODE / "skeleton" / "README.md.jinja"], watched) == "ignore"


def test_relative_paths_are_planned_from_the_working_folder(watched, tmp_path):
    os.chdir(tmp_path)
    assert plan(["content/items/a.md"], watched) == "rebuild"
    assert plan(["pelicanconf.py"], watched) == "restart"


# --- The read cache in memory ------------------------------------------------------


@pytest.fixture
def memory() -> Iterator[None]:
    keep_in_memory()
    yield
    keep_in_memory(False)


def _wipe(folder: Path) -> None:
    for path in folder.rglob("*.pickle"):
        path.unlink()


def test_a_one_off_build_keeps_nothing_in_memory(tmp_path: Path):
    cache = ItemCache(tmp_path / "c")
    cache.store("ab" * 32, ("ok", "<p>x</p>", {}), ())
    _wipe(tmp_path / "c")
    assert cache.load("ab" * 32, tmp_path) is None


def test_a_rebuild_reads_an_unchanged_item_from_memory(tmp_path: Path, memory):
    cache = ItemCache(tmp_path / "c")
    cache.store("ab" * 32, ("ok", "<p>x</p>", {"tags": ["a"]}), ())
    cache.next_run()
    _wipe(tmp_path / "c")  # the disk is not read again
    assert cache.load("ab" * 32, tmp_path) == ("ok", "<p>x</p>", {"tags": ["a"]})
    assert (cache.hits, cache.memory_hits, cache.misses) == (1, 1, 0)


def test_what_a_run_does_to_a_read_item_does_not_reach_the_next(tmp_path: Path, memory):
    cache = ItemCache(tmp_path / "c")
    cache.store("ab" * 32, ("ok", "<p>x</p>", {"tags": ["a"]}), ())
    for _ in range(2):
        cache.next_run()
        result = cache.load("ab" * 32, tmp_path)
        assert result == ("ok", "<p>x</p>", {"tags": ["a"]})
        result[2]["tags"].append("added by a plugin")
        result[2]["title"] = "changed"


def test_a_disk_hit_is_remembered_for_the_next_run(tmp_path: Path, memory):
    ItemCache(tmp_path / "c").store("ab" * 32, ("ok", "<p>x</p>", {}), ())
    cache = ItemCache(tmp_path / "c")  # a new process, the disk cache warm
    assert cache.load("ab" * 32, tmp_path) == ("ok", "<p>x</p>", {})
    assert cache.memory_hits == 0
    cache.next_run()
    _wipe(tmp_path / "c")
    assert cache.load("ab" * 32, tmp_path) == ("ok", "<p>x</p>", {})
    assert cache.memory_hits == 1


def test_memory_holds_only_what_the_last_run_read(tmp_path: Path, memory):
    cache = ItemCache(tmp_path / "c")
    old, new = "ab" * 32, "cd" * 32  # an item before and after an edit
    cache.store(old, ("ok", "old", {}), ())
    cache.next_run()
    assert cache.load(old, tmp_path) is not None  # still read by this run
    cache.next_run()
    cache.store(new, ("ok", "new", {}), ())  # edited: the old key is not read
    cache.next_run()
    _wipe(tmp_path / "c")
    assert cache.load(old, tmp_path) is None
    assert cache.load(new, tmp_path) == ("ok", "new", {})


def test_a_remembered_item_whose_image_changed_is_read_again(tmp_path: Path, memory):
    image = tmp_path / "images" / "a.png"
    image.parent.mkdir()
    image.write_bytes(b"one")
    cache = ItemCache(tmp_path / "c")
    cache.store("ab" * 32, ("ok", "x", {}), dependencies(tmp_path, ["images/a.png"]))
    cache.next_run()
    image.write_bytes(b"three")  # another size
    assert cache.load("ab" * 32, tmp_path) is None
    image.unlink()
    assert cache.load("ab" * 32, tmp_path) is None


# --- A rebuild in memory is the command line's build ---------------------------


@pytest.mark.slow
def test_a_rebuild_in_memory_is_what_the_command_line_builds(
    make_project, monkeypatch, capfd
):
    """A builder process builds, takes a broken edit (refused, nothing
    swapped), then a good one; another project gets the good edit and builds
    with `pelican`. The two sites are the same, file for file."""
    for name, value in PINNED_ENV.items():
        monkeypatch.setenv(name, value)
    served, fresh = make_project(sample=True), make_project(sample=True)
    item = served.root / SEED_ITEM
    original = item.read_text(encoding="utf-8")
    broken = original.replace("topic: geopolitics", "topic: nonexistent", 1)
    edited = original.replace(
        "\n\n", "\n\nA sentence a curator added while previewing.\n\n", 1
    )
    assert broken != original and edited.count("curator added") == 1

    builder = BuilderProcess(served.root, "pelicanconf.py")
    try:
        assert builder.start() is True
        first = os.readlink(served.output)
        item.write_text(broken, encoding="utf-8")
        assert builder.build() is False
        assert os.readlink(served.output) == first  # nothing swapped
        item.write_text(edited, encoding="utf-8")
        assert builder.build() is True
        process = builder.process
    finally:
        builder.stop()
    assert process is not None and process.returncode == 0
    log = "".join(capfd.readouterr())
    assert "'nonexistent' is not declared" in log, log
    assert "Traceback" not in log, log

    fresh.write(SEED_ITEM, edited)
    built = fresh.build()
    assert built.returncode == 0, built.stdout + built.stderr
    in_memory = tree(served.output, reproducible=True)
    assert in_memory == tree(fresh.output, reproducible=True)
    pages = [served.output / name for name in in_memory if name.endswith(".html")]
    assert any("curator added" in page.read_text() for page in pages)


def test_a_builder_that_cannot_start_says_why(make_project, capfd):
    project = make_project()
    (project.root / "pelicanconf.py").write_text(
        "PATH = 'content'\nraise ValueError('no')\n"
    )
    builder = BuilderProcess(project.root, "pelicanconf.py")
    try:
        assert builder.start() is None
        assert builder.build() is None
    finally:
        builder.stop()
    err = capfd.readouterr().err
    assert "cannot start a build with pelicanconf.py: ValueError: no" in err, err
    assert "Traceback" not in err, err


def test_a_rebuild_reads_again_only_the_file_an_edit_changed(make_project, monkeypatch):
    """Unchanged items come from the builder's memory: with the disk cache
    emptied after the first build, a rebuild writes back one entry, the edited
    item's (a process reading them all again would write back every one)."""
    for name, value in PINNED_ENV.items():
        monkeypatch.setenv(name, value)
    project = make_project(sample=True)
    item = project.root / SEED_ITEM
    disk = project.root / "cache" / FOLDER
    builder = BuilderProcess(project.root, "pelicanconf.py")
    try:
        assert builder.start() is True
        items = len(list((project.content / "items").glob("*.md")))
        assert len(list(disk.rglob("*.pickle"))) >= items > 10
        shutil.rmtree(disk)
        text = item.read_text(encoding="utf-8")
        item.write_text(text + "\nOne more sentence.\n", encoding="utf-8")
        assert builder.build() is True
    finally:
        builder.stop()
    assert len(list(disk.rglob("*.pickle"))) == 1
    assert "One more sentence." in (project.output / SEED_PAGE).read_text()

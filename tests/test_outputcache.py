"""The output index: only the live build's own index is used, planted pickles
are refused, and files are replaced, never written through a shared link."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from newsdigest.engine.outputcache import (
    FOLDER,
    VERSION,
    Entry,
    OutputIndex,
    index_path,
    link_from,
    load_index,
    replace_file,
    save_index,
)
from tests.helpers import Project, item, output_of


def test_the_index_of_the_live_build_with_the_same_site_key_is_loaded(
    tmp_path: Path,
) -> None:
    index = OutputIndex("site-1", "key", {"a/index.html": Entry("k1")})
    save_index(tmp_path, index, keep=set())
    assert load_index(tmp_path, "site-1", "key") == index
    assert load_index(tmp_path, "site-1", "other settings") is None
    assert load_index(tmp_path, "site-2", "key") is None
    assert load_index(tmp_path, None, "key") is None


def test_saving_drops_indexes_of_builds_that_are_gone(tmp_path: Path) -> None:
    for name in ("site-1", "site-2", "site-3"):
        save_index(tmp_path, OutputIndex(name, "key"), keep={"site-2"})
    assert sorted(p.name for p in (tmp_path / FOLDER).iterdir()) == [
        "site-2.pickle",
        "site-3.pickle",
    ]


def test_a_planted_pickle_is_refused_before_anything_is_called(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = index_path(tmp_path, "site-1")
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps((VERSION, Exploit())))
    assert load_index(tmp_path, "site-1", "key") is None
    assert not marker.exists()
    path.write_bytes(b"not a pickle")
    assert load_index(tmp_path, "site-1", "key") is None


def test_replacing_a_linked_file_leaves_the_other_link_alone(tmp_path: Path) -> None:
    live = tmp_path / "live.html"
    live.write_text("published")
    staged = tmp_path / "staged" / "page.html"
    assert link_from(live, staged)
    assert os.path.samefile(live, staged)
    replace_file(staged, b"new")
    assert live.read_text() == "published"
    assert staged.read_bytes() == b"new"
    assert not link_from(tmp_path / "gone.html", tmp_path / "x.html")


@pytest.mark.slow
def test_an_index_planted_in_the_cache_cannot_keep_an_old_page(
    make_project: Callable[..., Project],
) -> None:
    """CACHE_PATH may be restored from a CI cache: an index planted there that
    gives a changed page its new key would publish the live build's old page."""
    project = make_project()
    page = "2022/01/a-story/index.html"
    project.write("content/items/a.md", item(body="First version.\n"))
    assert project.build().returncode == 0
    first = project.output.resolve()
    project.write("content/items/a.md", item(body="Second version.\n"))
    assert project.build().returncode == 0
    second = project.output.resolve()

    def index_of(build: Path) -> OutputIndex:
        (path,) = project.root.rglob(f"{FOLDER}/{build.name}.pickle")
        _version, index = pickle.loads(path.read_bytes())
        return index

    # The first build is live again; the planted index of it says its old
    # page has the key the second version renders to.
    planted = index_of(first)
    planted.entries[page].key = index_of(second).entries[page].key
    project.output.unlink()
    project.output.symlink_to(os.path.relpath(first, project.root))
    index_path(project.root / "cache", first.name).parent.mkdir(
        parents=True, exist_ok=True
    )
    index_path(project.root / "cache", first.name).write_bytes(
        pickle.dumps((VERSION, planted))
    )

    result = project.build()

    assert result.returncode == 0, output_of(result)
    assert "Second version." in project.page(page)

"""The output index: only the live build's own index is used, planted pickles
are refused, and files are replaced, never written through a shared link."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

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

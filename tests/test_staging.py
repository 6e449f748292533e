"""Build folders without Pelican (newsdigest.publishing.staging): staging, the atomic
swap, pruning, and which output paths are refused.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from newsdigest.plugins import publish
from newsdigest.problems import DigestError
from newsdigest.publishing import staging
from newsdigest.publishing.staging import (
    new_staging,
    output_path_problem,
    prune_builds,
    swap_into_place,
)


# --- swap_into_place / prune_builds --------------------------------------------------
def staged(builds: Path, name: str, page: str = "new") -> Path:
    """A build folder newsdigest made: its marker record sits beside it."""
    folder = builds / name
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(page)
    (builds / f"{name}.json").write_text('{"newsdigest": 1}')
    return folder


def test_swap_replaces_the_output_symlink_in_one_rename(tmp_path, monkeypatch):
    builds = tmp_path / ".output.builds"
    output = tmp_path / "output"
    old = staged(builds, "site-old", "old")
    output.symlink_to(os.path.relpath(old, tmp_path))
    staging = staged(builds, "staging-20260101T000000-abc")

    seen = []
    real_replace = os.replace

    def spying_replace(src, dst):
        # The live site is still the old one, complete, until the rename.
        seen.append((Path(dst), (output / "index.html").read_text()))
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", spying_replace)
    swap_into_place(staging, output, {"pages": 1})

    assert [s for s in seen if s[0] == output] == [(output, "old")]
    assert os.readlink(output) == ".output.builds/site-20260101T000000-abc"
    assert (output / "index.html").read_text() == "new"
    assert not staging.exists()
    assert old.is_dir()  # kept for a rollback; prune_builds decides
    record = builds / "site-20260101T000000-abc.json"
    assert json.loads(record.read_text()) == {"newsdigest": 1, "pages": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.builds", "output"]


def test_swap_turns_a_plain_output_folder_into_a_kept_build(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("hand-made")
    staging = staged(tmp_path / ".output.builds", "staging-1-x")

    swap_into_place(staging, output, {})

    assert output.is_symlink()
    assert os.readlink(output) == ".output.builds/site-1-x"
    assert (output / "index.html").read_text() == "new"
    (previous,) = (tmp_path / ".output.builds").glob("previous-*")
    assert (previous / "index.html").read_text() == "hand-made"


def test_swap_over_a_dangling_symlink(tmp_path):
    output = tmp_path / "output"
    output.symlink_to(".output.builds/site-deleted")
    staging = staged(tmp_path / ".output.builds", "staging-2-y")
    swap_into_place(staging, output, {})
    assert os.readlink(output) == ".output.builds/site-2-y"


def test_prune_keeps_live_build_and_newest_others_and_drops_staging(tmp_path):
    builds = tmp_path / ".output.builds"
    output = tmp_path / "output"
    ages = {"site-a": 100, "site-b": 200, "site-c": 300, "site-d": 400, "site-e": 500}
    for name, mtime in ages.items():
        folder = staged(builds, name)
        os.utime(folder, (mtime, mtime))
    staged(builds, "staging-crashed-1")
    staged(builds, "staging-crashed-2")
    output.symlink_to(".output.builds/site-b")  # live is not the newest (rollback)

    prune_builds(output, keep=3)

    assert sorted(p.name for p in builds.iterdir()) == [
        "site-b",
        "site-b.json",
        "site-d",
        "site-d.json",
        "site-e",
        "site-e.json",
    ]
    assert (output / "index.html").exists()


@pytest.mark.parametrize(("keep", "left"), [(1, ["site-b"]), (2, ["site-b", "site-c"])])
def test_prune_keep_counts_the_live_build(tmp_path, keep, left):
    builds = tmp_path / ".output.builds"
    for mtime, name in enumerate(["site-a", "site-b", "site-c"], start=1):
        os.utime(staged(builds, name), (mtime, mtime))
    (tmp_path / "output").symlink_to(".output.builds/site-b")

    prune_builds(tmp_path / "output", keep=keep)

    assert sorted(p.name for p in builds.iterdir() if p.is_dir()) == left


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        ("/", "root"),
        ("{project}", "contains the project"),
        ("{project}/..", "contains the project"),
        ("{project}/content", "contains the content"),
        ("{project}/content/out", "inside the content"),
        ("{home}", "home"),
        ("{link}", "contains the project"),  # a symlink to the project's parent
    ],
)
def test_output_path_rules(tmp_path, monkeypatch, output, problem):
    project = tmp_path / "site"
    (project / "content").mkdir(parents=True)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "link").symlink_to(tmp_path)
    path = Path(output.format(project=project, home=home, link=tmp_path / "link"))
    found = output_path_problem(path, project / "content", project)
    assert found and problem in found
    assert output_path_problem(project / "output", project / "content", project) is None


def test_converting_a_plain_output_folder_leaves_no_moment_without_output(
    tmp_path, monkeypatch
):
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("old plain build")
    stage = new_staging(output)
    (stage / "index.html").write_text("new")
    seen: list[tuple[str, bool]] = []
    for name in ("rename", "replace", "rmdir"):
        real = getattr(os, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen.append((_name, os.path.lexists(output)))
            result = _real(*args, **kwargs)
            seen.append((_name, os.path.lexists(output)))
            return result

        monkeypatch.setattr(os, name, spy)

    swap_into_place(stage, output, {})

    assert all(exists for _, exists in seen), seen
    assert output.is_symlink() and (output / "index.html").read_text() == "new"
    (kept,) = (tmp_path / ".output.builds").glob("previous-*")
    assert (kept / "index.html").read_text() == "old plain build"


def test_pruning_deletes_only_folders_newsdigest_made(tmp_path):
    output = tmp_path / "output"
    builds = tmp_path / ".output.builds"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "data").write_text("keep")
    for _ in range(3):
        swap_into_place(new_staging(output), output, {})
    (builds / "site-foreign").mkdir()
    (builds / "site-link").symlink_to(elsewhere)
    (builds / "site-link.json").write_text('{"newsdigest": 1}')
    (builds / "previous-1").mkdir()

    prune_builds(output, keep=1)

    left = sorted(p.name for p in builds.iterdir() if not p.name.endswith(".json"))
    live = output.resolve().name
    assert left == sorted([live, "previous-1", "site-foreign", "site-link"])
    assert (elsewhere / "data").read_text() == "keep"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("step", ["symlink", "replace", "write_build_record"])
def test_swap_failure_leaves_the_published_site(tmp_path, monkeypatch, code, step):
    output = tmp_path / "output"
    first = new_staging(output)
    (first / "index.html").write_text("live")
    swap_into_place(first, output, {})
    live = os.readlink(output)
    stage = new_staging(output)
    (stage / "index.html").write_text("new")

    def fail(*_args, **_kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path / "x"))

    target = staging if step == "write_build_record" else os
    monkeypatch.setattr(target, step, fail)
    with pytest.raises(DigestError) as raised:
        swap_into_place(stage, output, {})

    message = str(raised.value)
    assert errno.errorcode[code] in message and str(output) in message
    assert "left as it was" in message
    assert os.readlink(output) == live
    assert (output / "index.html").read_text() == "live"
    builds = sorted(p.name for p in (tmp_path / ".output.builds").iterdir())
    assert builds == [live.split("/")[-1], live.split("/")[-1] + ".json"]


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_staging_that_cannot_be_created_is_a_clear_error(tmp_path, monkeypatch, code):
    def fail(*_args, **_kwargs):
        raise OSError(code, os.strerror(code), str(tmp_path))

    monkeypatch.setattr(staging.tempfile, "mkdtemp", fail)
    with pytest.raises(DigestError, match=errno.errorcode[code]) as raised:
        new_staging(tmp_path / "output")
    assert "Nothing was built" in str(raised.value)


def test_removing_a_build_never_follows_a_link(tmp_path):
    target = tmp_path / "t"
    target.mkdir()
    (target / "f").write_text("x")
    (tmp_path / "site-l").symlink_to(target)
    (tmp_path / "site-l.json").write_text('{"newsdigest": 1}')
    assert not staging.remove_build(tmp_path / "site-l")
    assert (target / "f").exists()


def test_files_with_the_bytes_of_the_previous_build_get_its_times(tmp_path):
    previous, staged = tmp_path / "old", tmp_path / "new"
    for folder, text in ((previous, "changed"), (staged, "CHANGED")):
        (folder / "a").mkdir(parents=True)
        (folder / "a" / "same.html").write_text("same")
        (folder / "other.html").write_text(text)  # same size, other bytes
    (staged / "added.html").write_text("new")
    for path in previous.rglob("*.html"):
        os.utime(path, ns=(1, 1_000_000_000))

    assert staging.keep_unchanged_times(staged, previous) == 1

    assert (staged / "a" / "same.html").stat().st_mtime_ns == 1_000_000_000
    assert (staged / "other.html").stat().st_mtime_ns != 1_000_000_000
    assert staging.keep_unchanged_times(staged, None) == 0

"""Modes of what newsdigest writes under a lax umask (``umask 000``).

A CI runner or a cron job may run with ``umask 000``: the deploy gate's record,
the caches (unpickled by the next build), the lock and the ingest state must
still be private, and the published site readable but never writable by others.
Everything runs as a curator runs it: real subprocesses with ``umask 000``.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from newsdigest.engine.run import pelican_command
from newsdigest.filemodes import make_dirs, write_atomic, write_new_file
from tests.helpers import PINNED_ENV, item, output_of

pytestmark = pytest.mark.slow

# Private state: no other user may read or write it.
PRIVATE = ("cache", ".newsdigest", ".output.lock", ".output.outputs")


def lax_umask() -> None:
    os.umask(0)


def run_lax(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **PINNED_ENV, "COLUMNS": "300"},
        preexec_fn=lax_umask,
        capture_output=True,
        text=True,
        check=False,
    )


def is_private(relative: Path) -> bool:
    """Records and manifests beside the builds, caches, the lock, ingest state."""
    top = relative.parts[0] if relative.parts else ""
    beside_builds = top == ".output.builds" and len(relative.parts) == 2
    return top in PRIVATE or (beside_builds and relative.suffix == ".json")


def modes(root: Path) -> dict[str, int]:
    """Every file and folder under ``root`` (symlinks have no mode of their own)."""
    found = {}
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        if not stat.S_ISLNK(info.st_mode):
            found[str(path.relative_to(root))] = stat.S_IMODE(info.st_mode)
    return found


def test_a_build_publish_search_and_ingest_under_umask_000_leave_nothing_writable(
    make_project, http_server
):
    project = make_project()
    for n in range(3):
        project.write(
            f"content/items/story-{n}.md",
            item(title=f"Story {n}", source_url=f"https://example.com/{n}"),
        )
    http_server.page(
        "/wire.xml", "wire.rss.xml", etag='"w1"', content_type="application/rss+xml"
    )
    project.write(
        "content/sources.yml",
        f"Example Wire:\n  feed: {http_server.url('/wire.xml')}\n  topic: world\n"
        "  allow_private_network: true\n",
    )
    for command in (["ingest"], ["new", "A new draft", "--topic", "world"]):
        result = run_lax(
            [sys.executable, "-m", "newsdigest", *command, "--project", "."],
            project.root,
        )
        assert result.returncode == 0, output_of(result)
    publish = {
        "precompress": ["gzip", "br"],
        "build_date": "2022-02-01T00:00:00+00:00",
    }
    for _ in range(2):  # a cold build, then one that reuses the caches
        result = run_lax(
            pelican_command("publishconf.py", overrides={"DIGEST_PUBLISH": publish}),
            project.root,
        )
        assert result.returncode == 0, output_of(result)
    project.settings = "publishconf.py"  # output/, the production build

    found = modes(project.root)
    # Everything the test expects newsdigest to have written is there.
    live = project.output.resolve().relative_to(project.root)
    for expected in (
        f"{live}/index.html",
        f"{live}/index.html.gz",
        f"{live}/index.html.br",
        f"{live}/pagefind/pagefind-entry.json",
        f"{live}.json",
        f"{live}.manifest.json",
        ".output.lock",
        "cache/newsdigest-items",
        ".output.outputs/newsdigest-output",
        "cache/newsdigest-search",
        ".newsdigest/ingest-state.json",
    ):
        assert expected in found, expected
    writable = {name: oct(mode) for name, mode in found.items() if mode & 0o022}
    assert writable == {}
    readable = {
        name: oct(mode)
        for name, mode in found.items()
        if is_private(Path(name)) and mode & 0o077
    }
    assert readable == {}
    # Published output: readable by a web server running as another user.
    site = {n: m for n, m in found.items() if n.startswith(f"{live}/")}
    assert set(site.values()) == {0o644, 0o755}
    # Drafts by new and ingest: source files, like the ones the curator writes.
    drafts = [n for n in found if n.startswith("content/items/") and "story-" not in n]
    assert len(drafts) >= 2 and {found[n] for n in drafts} == {0o644}


def test_the_writers_give_their_mode_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        make_dirs(tmp_path / "a" / "b", 0o700)
        write_atomic(tmp_path / "a" / "b" / "record.json", "{}", 0o600)
        write_new_file(tmp_path / "draft.md", "text", 0o644)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a/b/record.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "draft.md").stat().st_mode) == 0o644
    assert not list((tmp_path / "a" / "b").glob(".*.tmp"))
    with pytest.raises(FileExistsError):
        write_new_file(tmp_path / "draft.md", "other", 0o644)
    assert (tmp_path / "draft.md").read_text() == "text"


def test_an_ingest_state_folder_that_is_a_link_is_refused_in_one_line(
    make_project, http_server, tmp_path
):
    project = make_project()
    http_server.page("/wire.xml", "wire.rss.xml", content_type="application/rss+xml")
    project.write(
        "content/sources.yml",
        f"Example Wire:\n  feed: {http_server.url('/wire.xml')}\n  topic: world\n"
        "  allow_private_network: true\n",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project.root / ".newsdigest").symlink_to(elsewhere)

    result = run_lax(
        [sys.executable, "-m", "newsdigest", "ingest", "--project", "."], project.root
    )

    out = output_of(result)
    assert result.returncode == 1, out
    assert "ingest stopped: " in out and ".newsdigest" in out
    assert "Traceback" not in out
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("folder", ["newsdigest-items", "newsdigest-output"])
def test_a_cache_folder_that_is_a_link_is_never_read_or_written(
    make_project, tmp_path, folder
):
    """Cache entries are unpickled: a cache folder planted as a link (to a
    folder someone else fills) is ignored, and the build goes on without it."""
    project = make_project()
    project.write("content/items/one.md", item(source_url="https://e.com/1"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project.root / "cache").mkdir(mode=0o700)
    (project.root / "cache" / folder).symlink_to(elsewhere)

    for _ in range(2):
        result = project.build()
        assert result.returncode == 0, output_of(result)

    assert list(elsewhere.iterdir()) == []
    assert "One sentence in our words." in project.page("index.html")

"""Staging, atomic swap, the page-loss guard and reproducible output."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from newsdigest.engine.run import pelican_command
from tests.helpers import PINNED_ENV, item, tree


@pytest.mark.slow
def test_failed_build_leaves_published_site_untouched(published):
    before_target = os.readlink(published.output)
    before = tree(published.output)
    published.write("content/items/bad.md", item(topic="sport"))
    result = published.build()
    assert result.returncode != 0
    assert "content/items/bad.md" in result.stdout + result.stderr
    assert "nothing was published" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert os.readlink(published.output) == before_target
    assert tree(published.output) == before


@pytest.mark.slow
def test_successful_build_swaps_and_keeps_a_previous_build(published):
    first = published.output.resolve()
    published.write(
        "content/items/new.md", item(title="New", source_url="https://example.com/new")
    )
    assert published.build().returncode == 0
    assert published.output.resolve() != first
    assert first.is_dir(), "the previous build is kept for a rollback"
    assert "New" in published.page("index.html")


def _times(site):
    return {
        p.relative_to(site).as_posix(): p.stat().st_mtime_ns
        for p in site.rglob("*")
        if p.is_file()
    }


@pytest.mark.slow
def test_a_republish_keeps_the_times_of_files_whose_bytes_did_not_change(
    make_project,
):
    project = make_project()
    for n in range(3):
        project.write(
            f"content/items/s{n}.md",
            item(title=f"Story {n}", slug=f"s{n}", source_url=f"https://e.org/{n}"),
        )
    assert project.build("publishconf.py").returncode == 0
    first = project.output.resolve()
    before = _times(first)
    time.sleep(0.05)
    again = project.build("publishconf.py")
    assert again.returncode == 0, again.stdout + again.stderr
    second = project.output.resolve()
    assert second != first
    after = _times(second)
    assert sorted(set(after) ^ set(before)) == []  # the same files
    moved = sorted(path for path in after if after[path] != before[path])
    assert moved == []  # rsync's quick check sends none of them


@pytest.mark.slow
def test_page_loss_guard_refuses_unless_forced(published):
    guarded = {"DIGEST_PUBLISH": {"max_page_loss": 0.2, "checks": []}}
    before = tree(published.output)
    for n in range(1, 5):
        (published.content / "items" / f"story-{n}.md").unlink()
    result = published.build(**guarded)
    assert result.returncode != 0
    assert "lost" in result.stdout + result.stderr
    assert tree(published.output) == before
    forced = published.build(env={"NEWSDIGEST_FORCE": "1"}, **guarded)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "Story 3" not in published.page("index.html")


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.3, 0.7, 1.1])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_build_leaves_published_site_complete(published, kill_after, sig):
    before = tree(published.output)
    published.write(
        "content/items/new.md", item(title="New", source_url="https://example.com/new")
    )
    process = subprocess.Popen(
        pelican_command("pelicanconf.py"),
        cwd=published.root,
        env={**os.environ, **PINNED_ENV},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(kill_after)
    process.send_signal(sig)
    process.wait(timeout=30)
    after = tree(published.output)
    # Either the old site, or (if the build had finished) the complete new one.
    assert after == before or "New" in published.page("index.html")
    assert "index.html" in after


@pytest.mark.slow
def test_builds_are_byte_identical_across_seeds_locales_and_timezones(make_project):
    trees = []
    for seed, tz, lang in (("1", "UTC", "C.UTF-8"), ("4242", "Asia/Kolkata", "C")):
        project = make_project(sample=True)
        env = {
            "PYTHONHASHSEED": seed,
            "TZ": tz,
            "LC_ALL": lang,
            "SOURCE_DATE_EPOCH": "",
        }
        result = project.build("publishconf.py", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        trees.append(tree(project.output, reproducible=True))
    assert trees[0] == trees[1]
    assert any(name.endswith(".gz") for name in trees[0])


@pytest.mark.slow
def test_failed_site_check_leaves_published_site_untouched(published):
    before = tree(published.output)
    published.write(
        "content/items/broken-link.md",
        item(
            title="Broken link",
            source_url="https://example.com/broken",
            body="See [the missing page](../../no-such-page/).\n",
        ),
    )
    result = published.build()
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "failed its checks" in out and "no-such-page" in out
    assert "Traceback" not in out
    assert tree(published.output) == before
    assert not list((published.root / ".output-dev.builds").glob("staging-*"))

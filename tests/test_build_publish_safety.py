"""Publishing under stress: concurrent builds, odd output paths, full disks, modes.

Each test builds with the real Pelican in a subprocess and checks what a site
owner would see: the published site intact, one clear message, no traceback. The
staging functions called directly are in test_staging.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from newsdigest.engine.run import pelican_command
from tests.helpers import PINNED_ENV, item, tree

pytestmark = pytest.mark.slow


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    """stdout and stderr, with Rich's line wrapping undone."""
    return " ".join((result.stdout + result.stderr).split())


def start_build(project, *args: str, env=None, **popen) -> subprocess.Popen[str]:
    return subprocess.Popen(
        pelican_command("pelicanconf.py", extra=list(args)),
        cwd=project.root,
        env={**os.environ, **PINNED_ENV, **(env or {})},
        text=True,
        **popen,
    )


def wait_for_text(path: Path, text: str, process: subprocess.Popen[str]) -> None:
    """Wait (without a time limit that could flake) until a build says ``text``."""
    while text not in path.read_text():
        assert process.poll() is None, path.read_text()
        time.sleep(0.1)


def add_item(project, name: str = "zebra") -> None:
    project.write(
        f"content/items/{name}.md",
        item(title=name.title(), source_url=f"https://example.com/{name}"),
    )


# --- 4. Modes ---------------------------------------------------------------------


def test_built_site_is_world_readable_under_umask_077_and_rsync_keeps_it(
    make_project, tmp_path
):
    project = make_project(sample=True)
    result = subprocess.run(
        pelican_command("pelicanconf.py"),
        cwd=project.root,
        env={**os.environ, **PINNED_ENV},
        preexec_fn=lambda: os.umask(0o077),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, output_of(result)
    # Served in place, through the link, by a web server running as another user:
    builds = project.root / ".output-dev.builds"
    assert stat.S_IMODE(builds.stat().st_mode) == 0o755
    assert stat.S_IMODE(project.output.stat().st_mode) == 0o755

    web_root = tmp_path / "www"
    rsync = subprocess.run(
        ["rsync", "-a", f"{project.output}/", f"{web_root}/"],
        capture_output=True,
        text=True,
    )
    assert rsync.returncode == 0, rsync.stderr

    modes = {
        str(p.relative_to(web_root)): stat.S_IMODE(p.stat().st_mode)
        for p in [web_root, *web_root.rglob("*")]
    }
    assert modes["."] == 0o755
    assert {m for n, m in modes.items() if (web_root / n).is_dir()} == {0o755}
    assert {m for n, m in modes.items() if (web_root / n).is_file()} == {0o644}
    assert "index.html" in modes and "feeds/all.atom.xml" in modes


# --- 6. Two builds at once ----------------------------------------------------------


def hold_lock(project) -> int:
    fd = os.open(project.root / ".output-dev.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242\n")
    return fd


def test_two_concurrent_builds_with_keep_builds_1_leave_a_complete_site(published):
    for n in range(20):
        add_item(published, f"extra-{n}")
    keep_one = ["-e", 'DIGEST_PUBLISH={"keep_builds": 1, "checks": []}']
    builds = [
        start_build(
            published, *keep_one, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [b.communicate(timeout=300)[0] for b in builds]

    for build, out in zip(builds, outputs, strict=True):
        assert build.returncode == 0, out
        assert "Traceback" not in out
    assert (published.output / "index.html").is_file()
    assert "Extra-19" in published.page("feeds/all.atom.xml")
    folders = sorted(p.name for p in (published.root / ".output-dev.builds").iterdir())
    assert [n for n in folders if not n.endswith(".json")] == [
        published.output.resolve().name
    ]


def test_second_build_waits_for_the_lock_and_says_so(published, tmp_path):
    add_item(published)
    fd = hold_lock(published)
    log = tmp_path / "build.log"
    with log.open("w") as sink:
        build = start_build(published, stdout=sink, stderr=subprocess.STDOUT)
        try:
            wait_for_text(log, "waiting up to", build)
            assert "pid 4242" in log.read_text()
            assert "Zebra" not in published.page("index.html")
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        assert build.wait(timeout=300) == 0, log.read_text()
    assert "Zebra" in published.page("index.html")


def test_build_refuses_when_the_lock_is_held_past_the_timeout(published):
    before = tree(published.output)
    target = os.readlink(published.output)
    add_item(published)
    fd = hold_lock(published)
    try:
        result = published.build(DIGEST_PUBLISH={"lock_timeout": 0})
    finally:
        os.close(fd)
    out = output_of(result)
    assert result.returncode != 0
    assert "Another newsdigest build (pid 4242)" in out and "lock_timeout" in out
    assert "Traceback" not in out
    assert os.readlink(published.output) == target
    assert tree(published.output) == before
    assert not list((published.root / ".output-dev.builds").glob("staging-*"))


PAUSE_PLUGIN = """
import sys, time
from pelican import signals

def pause(_generators):
    print("PAUSED", flush=True)
    time.sleep(600)

def register():
    signals.all_generators_finalized.connect(pause)
"""


def test_killed_build_leaves_staging_that_the_next_build_removes(published, tmp_path):
    add_item(published)
    published.write("pauseplugin.py", PAUSE_PLUGIN)
    plugins = json.dumps(
        ["newsdigest.plugins.reader", "newsdigest.plugins.publish", "pauseplugin"]
    )
    log = tmp_path / "build.log"
    with log.open("w") as sink:
        build = start_build(
            published, "-e", f"PLUGINS={plugins}", stdout=sink, stderr=subprocess.STDOUT
        )
        # Killed while it holds the lock and its staging folder exists.
        wait_for_text(log, "PAUSED", build)
        os.kill(build.pid, signal.SIGKILL)
        build.wait(timeout=60)
    builds = published.root / ".output-dev.builds"
    assert list(builds.glob("staging-*")), "the killed build left its staging"
    swap_link = published.root / ".output-dev.swap-99999"
    swap_link.symlink_to(".output-dev.builds/site-gone")  # killed mid-swap earlier
    foreign = builds / "staging-not-ours"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not made by newsdigest")

    result = published.build()

    assert result.returncode == 0, output_of(result)
    assert [p.name for p in builds.glob("staging-*")] == ["staging-not-ours"]
    assert not os.path.lexists(swap_link)
    assert (foreign / "keep.txt").is_file()
    assert "Zebra" in published.page("index.html")


@pytest.mark.parametrize("kind", ["folder", "symlink"])
def test_something_at_the_lock_path_is_a_clear_refusal(published, tmp_path, kind):
    lock = published.root / ".output-dev.lock"
    lock.unlink()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    if kind == "folder":
        lock.mkdir()
    else:
        lock.symlink_to(victim)
    result = published.build()
    out = output_of(result)
    assert result.returncode != 0
    assert ".output-dev.lock" in out and "Traceback" not in out
    assert victim.read_text() == "precious"


def test_a_foreign_file_at_the_lock_path_is_left_alone(published):
    lock = published.root / ".output-dev.lock"
    lock.write_text("my notes, not a lock\n")
    result = published.build()
    assert result.returncode != 0
    assert "not a newsdigest lock file" in output_of(result)
    assert lock.read_text() == "my notes, not a lock\n"


@pytest.mark.parametrize("kind", ["symlink", "file"])
def test_a_builds_folder_newsdigest_did_not_create_is_refused(
    make_project, tmp_path, kind
):
    project = make_project()
    add_item(project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    builds = project.root / ".output-dev.builds"
    if kind == "symlink":
        builds.symlink_to(elsewhere)
    else:
        builds.write_text("x")
    result = project.build()
    out = output_of(result)
    assert result.returncode != 0
    assert ".output-dev.builds is not a folder newsdigest created" in out
    assert "Traceback" not in out
    assert list(elsewhere.iterdir()) == []


# --- 7. A non-staging build never writes into the published build -------------------


@pytest.mark.parametrize("delete", [False, True])
def test_non_staging_build_refuses_to_write_through_the_output_link(published, delete):
    before = tree(published.output)
    add_item(published)
    result = published.build(
        DIGEST_PUBLISH={"staging": False}, DELETE_OUTPUT_DIRECTORY=delete
    )
    out = output_of(result)
    assert result.returncode != 0
    assert 'DIGEST_PUBLISH["staging"]' in out and "invoke clean" in out
    assert "Traceback" not in out
    assert tree(published.output) == before


# --- 9. Output paths ----------------------------------------------------------------


@pytest.mark.parametrize("where", [".", "content", "project", "home", "content/site"])
def test_output_path_that_holds_the_project_is_refused(make_project, tmp_path, where):
    project = make_project()
    add_item(project)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".ssh").mkdir()
    paths = {"project": str(project.root), "home": str(home)}
    before = sorted(p.name for p in project.root.iterdir())

    result = project.build(env={"HOME": str(home)}, OUTPUT_PATH=paths.get(where, where))

    out = output_of(result)
    assert result.returncode != 0
    assert "OUTPUT_PATH" in out and "Traceback" not in out
    assert sorted(p.name for p in project.root.iterdir()) == before
    assert (project.content / "items" / "zebra.md").is_file()
    assert (home / ".ssh").is_dir()


@pytest.mark.parametrize("staged", [True, False])
def test_output_path_of_another_project_is_refused(make_project, staged):
    mine, other = make_project(), make_project()
    add_item(mine)
    result = mine.build(
        OUTPUT_PATH=str(other.root),
        DIGEST_PUBLISH={"staging": staged},
        DELETE_OUTPUT_DIRECTORY=True,
    )
    assert result.returncode != 0
    assert "is a project" in output_of(result)
    assert (other.root / "pelicanconf.py").is_file()
    assert not (other.root.parent / f".{other.root.name}.builds").exists()


def test_output_link_to_a_foreign_folder_is_replaced_not_touched(published, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("someone else's")
    published.output.unlink()
    published.output.symlink_to(victim)
    result = published.build(DIGEST_PUBLISH={"keep_builds": 1})
    assert result.returncode == 0, output_of(result)
    assert published.output.resolve().parent.name == ".output-dev.builds"
    assert (victim / "index.html").read_text() == "someone else's"


def test_old_plain_output_folder_is_kept_through_builds_and_pruning(make_project):
    project = make_project()
    add_item(project)
    project.output.mkdir()
    (project.output / "index.html").write_text("hand-made site")
    for _ in range(3):
        result = project.build(DIGEST_PUBLISH={"keep_builds": 1})
        assert result.returncode == 0, output_of(result)
    assert project.output.is_symlink()
    (kept,) = (project.root / ".output-dev.builds").glob("previous-*")
    assert (kept / "index.html").read_text() == "hand-made site"


# --- 15. Full disk, read-only folders: messages, not tracebacks ---------------------


def test_a_write_failure_mid_build_is_one_message_and_publishes_nothing(published):
    before = tree(published.output)
    add_item(published)

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    result = subprocess.run(
        pelican_command("pelicanconf.py"),
        cwd=published.root,
        env={**os.environ, **PINNED_ENV, "COLUMNS": "300"},
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
    )
    out = output_of(result)
    assert result.returncode != 0
    assert "File too large (EFBIG)" in out and ".output-dev.builds/staging-" in out
    assert "was left as it was" in out
    assert "Traceback" not in out
    assert tree(published.output) == before
    assert not list((published.root / ".output-dev.builds").glob("staging-*"))


FULL_DISK_SCRIPT = """
set -u
mount -t tmpfs -o size=$SIZE tmpfs "$MNT" || exit 99
build() {
  "$PYTHON" -m pelican content -s pelicanconf.py -e "OUTPUT_PATH=\\"$MNT/output\\""
}
digest() { (cd "$MNT/output" && find -L . -type f -exec sha256sum {} + | sort); }
build > first.log 2>&1 || { cat first.log; exit 98; }
digest > before.txt
cp zebra.md content/items/
[ "$MODE" = ro ] && mount -o remount,ro "$MNT"
build > second.log 2>&1; echo $? > second.rc
digest > after.txt
ls -a "$MNT/.output.builds" > builds.txt
"""


@pytest.mark.parametrize("mode", ["full", "ro"])
def test_full_or_read_only_disk_is_a_message_and_the_site_stays(published, mode):
    """A real tmpfs, too small for a second build (or remounted read-only), in a
    user and mount namespace (skipped where the system does not allow one)."""
    if not shutil.which("unshare"):
        pytest.skip("needs unshare")
    mnt = published.root / "disk"
    mnt.mkdir()
    # Room for one and a half builds: tmpfs counts whole 4 KiB pages per file.
    files = [f for f in published.output.rglob("*") if f.is_file()]
    size = sum(-(-f.stat().st_size // 4096) * 4096 for f in files)
    published.write("zebra.md", item(title="Zebra", source_url="https://e.com/z"))
    result = subprocess.run(
        ["unshare", "-rm", "bash", "-c", FULL_DISK_SCRIPT],
        cwd=published.root,
        env={
            **os.environ,
            **PINNED_ENV,
            "COLUMNS": "400",
            "MNT": str(mnt),
            "MODE": mode,
            "PYTHON": sys.executable,
            "SIZE": str(int(size * 1.5) // 4096 * 4096),
        },
        capture_output=True,
        text=True,
    )
    if result.returncode == 99:
        pytest.skip("cannot mount a tmpfs in a user namespace here")
    assert result.returncode == 0, output_of(result)
    second = " ".join((published.root / "second.log").read_text().split())
    assert (published.root / "second.rc").read_text().strip() != "0", second
    code = "ENOSPC" if mode == "full" else "EROFS"
    assert code in second and "Traceback" not in second
    before = (published.root / "before.txt").read_text()
    assert before and (published.root / "after.txt").read_text() == before
    if mode == "full":
        builds = (published.root / "builds.txt").read_text().split()
        assert not [n for n in builds if n.startswith("staging-")]


BOOM_PLUGIN = """
from pelican import signals

def boom(_generators):
    raise RuntimeError("the boom plugin failed")

def register():
    signals.all_generators_finalized.connect(boom)
"""


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("import no_such_package\n", "No module named 'no_such_package'"),
        ("def register():\n    raise RuntimeError('cannot start')\n", "cannot start"),
    ],
    ids=["import-error", "register-error"],
)
def test_a_listed_plugin_that_cannot_load_stops_the_build(published, source, why):
    """Pelican logs a plugin it cannot load and builds on without it: a site
    without its editions or checks would replace the good one."""
    before = tree(published.output)
    published.write("brokenplugin.py", source)
    plugins = [
        "newsdigest.plugins.reader",
        "brokenplugin",
        "newsdigest.plugins.publish",
    ]
    result = published.build(env={"COLUMNS": "400"}, PLUGINS=plugins)
    out = " ".join(output_of(result).split())
    assert result.returncode != 0, out
    assert "[PLUGINS]: lists brokenplugin, which Pelican could not load" in out
    assert why in out and "Traceback" not in out
    assert tree(published.output) == before


def test_any_other_exception_ending_a_build_is_one_line(published):
    before = tree(published.output)
    published.write("boomplugin.py", BOOM_PLUGIN)
    plugins = ["newsdigest.plugins.reader", "newsdigest.plugins.publish", "boomplugin"]
    result = published.build(env={"COLUMNS": "400"}, PLUGINS=plugins)
    out = output_of(result)
    assert result.returncode != 0
    assert "RuntimeError: the boom plugin failed" in out and "--debug" in out
    assert "was left as it was" in out
    assert "Traceback" not in out
    assert tree(published.output) == before


# --- Defects: run state, last report, content cache -----------------------------


def run_script(project, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=project.root,
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
    )


def test_autoreload_without_publish_plugin_forgets_a_fixed_problem(make_project):
    project = make_project()
    project.write("content/items/story.md", item(topic="sport"))
    result = run_script(
        project,
        """
        from pathlib import Path
        from pelican import Pelican
        from pelican.settings import read_settings
        from newsdigest.problems import DigestError
        settings = read_settings("pelicanconf.py", override={"PLUGINS": [
            "newsdigest.plugins.reader", "newsdigest.plugins.sources",
            "newsdigest.plugins.feeds", "newsdigest.plugins.theme"]})
        pelican = Pelican(settings)
        try:
            pelican.run()
        except DigestError:
            print("first run refused")
        story = Path("content/items/story.md")
        story.write_text(story.read_text().replace("topic: sport", "topic: world"))
        pelican.run()
        print("second run built")
        """,
    )
    assert "first run refused" in result.stdout, output_of(result)
    assert "second run built" in result.stdout, output_of(result)


def test_last_report_is_the_latest_builds_report(make_project):
    project = make_project()
    long_summary = "One. Two. Three. Four sentences are too many for a summary."
    project.write("content/items/story.md", item(summary=long_summary))
    result = run_script(
        project,
        f"""
        from pathlib import Path
        from newsdigest.engine.run import build_in_process
        over = {{"DIGEST_PUBLISH": {{"checks": []}}}}
        first = build_in_process(Path("."), "pelicanconf.py", over)
        print("first", len(first.warnings))
        story = Path("content/items/story.md")
        story.write_text(story.read_text().replace({long_summary!r}, "One."))
        second = build_in_process(Path("."), "pelicanconf.py", over)
        print("second", len(second.warnings))
        """,
    )
    assert "first 1" in result.stdout, output_of(result)
    assert "second 0" in result.stdout, output_of(result)


def test_content_cache_is_refused_with_a_message(make_project):
    project = make_project()
    add_item(project)
    result = project.build(CACHE_CONTENT=True)
    out = output_of(result)
    assert result.returncode != 0
    assert "CACHE_CONTENT" in out and "Traceback" not in out
    assert not (project.root / "cache").exists()


def test_settings_are_picklable_after_every_plugin_configured_them(make_project):
    result = run_script(
        make_project(sample=True),
        """
        import pickle
        from pelican import Pelican
        from pelican.settings import read_settings
        pelican = Pelican(read_settings("pelicanconf.py"))
        settings = pickle.loads(pickle.dumps(pelican.settings))
        print("feed_links" in settings["JINJA_GLOBALS"])
        """,
    )
    assert result.stdout.strip() == "True", output_of(result)

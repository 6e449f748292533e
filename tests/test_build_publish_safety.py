"""Publishing under stress: concurrent builds, odd output paths, full disks, modes.

Each test builds with the real Pelican in a subprocess (or calls the staging
functions directly) and checks what a site owner would see: the published site
intact, one clear message, no traceback.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
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

from newsdigest import staging
from newsdigest.build import pelican_command
from newsdigest.problems import DigestError
from newsdigest.publish import _QuietDigestErrors
from newsdigest.staging import (
    new_staging,
    output_path_problem,
    prune_builds,
    swap_into_place,
)
from tests.helpers import PINNED_ENV, REPO, item, tree

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
    builds = project.root / ".output.builds"
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
    fd = os.open(project.root / ".output.lock", os.O_RDWR | os.O_CREAT, 0o644)
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
    folders = sorted(p.name for p in (published.root / ".output.builds").iterdir())
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
    assert not list((published.root / ".output.builds").glob("staging-*"))


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
    plugins = json.dumps(["newsdigest.reader", "newsdigest.publish", "pauseplugin"])
    log = tmp_path / "build.log"
    with log.open("w") as sink:
        build = start_build(
            published, "-e", f"PLUGINS={plugins}", stdout=sink, stderr=subprocess.STDOUT
        )
        # Killed while it holds the lock and its staging folder exists.
        wait_for_text(log, "PAUSED", build)
        os.kill(build.pid, signal.SIGKILL)
        build.wait(timeout=60)
    builds = published.root / ".output.builds"
    assert list(builds.glob("staging-*")), "the killed build left its staging"
    swap_link = published.root / ".output.swap-99999"
    swap_link.symlink_to(".output.builds/site-gone")  # killed mid-swap earlier
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
    lock = published.root / ".output.lock"
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
    assert ".output.lock" in out and "Traceback" not in out
    assert victim.read_text() == "precious"


def test_a_foreign_file_at_the_lock_path_is_left_alone(published):
    lock = published.root / ".output.lock"
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
    builds = project.root / ".output.builds"
    if kind == "symlink":
        builds.symlink_to(elsewhere)
    else:
        builds.write_text("x")
    result = project.build()
    out = output_of(result)
    assert result.returncode != 0
    assert ".output.builds is not a folder newsdigest created" in out
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
    assert published.output.resolve().parent.name == ".output.builds"
    assert (victim / "index.html").read_text() == "someone else's"


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


def test_old_plain_output_folder_is_kept_through_builds_and_pruning(make_project):
    project = make_project()
    add_item(project)
    project.output.mkdir()
    (project.output / "index.html").write_text("hand-made site")
    for _ in range(3):
        result = project.build(DIGEST_PUBLISH={"keep_builds": 1})
        assert result.returncode == 0, output_of(result)
    assert project.output.is_symlink()
    (kept,) = (project.root / ".output.builds").glob("previous-*")
    assert (kept / "index.html").read_text() == "hand-made site"


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
    assert "File too large (EFBIG)" in out and ".output.builds/staging-" in out
    assert "was left as it was" in out
    assert "Traceback" not in out
    assert tree(published.output) == before
    assert not list((published.root / ".output.builds").glob("staging-*"))


FULL_DISK_SCRIPT = """
set -u
mount -t tmpfs -o size=$SIZE tmpfs "$MNT" || exit 99
build() {
  python -m pelican content -s pelicanconf.py -e "OUTPUT_PATH=\\"$MNT/output\\""
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


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
@pytest.mark.parametrize("step", ["symlink", "replace", "write_record"])
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

    target = staging if step == "write_record" else os
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


def test_an_os_error_pelican_reports_is_logged_as_one_line():
    try:
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/a.html")
    except OSError:
        record = logging.LogRecord(
            "pelican", logging.CRITICAL, __file__, 1, "%s", ("OSError",), sys.exc_info()
        )
    assert _QuietDigestErrors().filter(record)
    assert record.exc_info is None
    assert "No space left on device (ENOSPC): /srv/a.html" in record.getMessage()


BOOM_PLUGIN = """
from pelican import signals

def boom(_generators):
    raise RuntimeError("the boom plugin failed")

def register():
    signals.all_generators_finalized.connect(boom)
"""


def test_any_other_exception_ending_a_build_is_one_line(published):
    before = tree(published.output)
    published.write("boomplugin.py", BOOM_PLUGIN)
    plugins = ["newsdigest.reader", "newsdigest.publish", "boomplugin"]
    result = published.build(env={"COLUMNS": "400"}, PLUGINS=plugins)
    out = output_of(result)
    assert result.returncode != 0
    assert "RuntimeError: the boom plugin failed" in out and "--debug" in out
    assert "was left as it was" in out
    assert "Traceback" not in out
    assert tree(published.output) == before


# --- 10. `newsdigest check --format json`: only JSON on stdout ----------------------


def check_json(project, *args: str) -> tuple[int, dict]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdigest",
            "check",
            "--format",
            "json",
            *args,
            "--project",
            str(project.root),
        ],
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
    )
    return result.returncode, json.loads(result.stdout)


def test_check_json_on_success_is_only_json(make_project):
    code, report = check_json(make_project(sample=True))
    assert code == 0
    assert report["summary"] == {"errors": 0, "warnings": 0}


def test_check_json_on_failures_is_only_json(make_project):
    project = make_project()
    project.write("content/items/bad.md", item(topic="sport"))
    code, report = check_json(project)
    assert code == 1
    assert [p["field"] for p in report["errors"]] == ["topic"]
    code, report = check_json(project, "-s", "missing.py")
    assert code == 1 and "missing.py" in report["errors"][0]["message"]


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
            "newsdigest.reader", "newsdigest.sources", "newsdigest.feeds",
            "newsdigest.theme"]})
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
        from newsdigest.build import build_in_process
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


# --- 15. tasks.py with a Python path containing a space -----------------------------


def test_tasks_run_with_a_python_path_containing_a_space(make_project, tmp_path):
    project = make_project(sample=True)
    spaced = tmp_path / "my python" / "bin"
    spaced.mkdir(parents=True)
    (spaced / "python").symlink_to(sys.executable)
    site_packages = [p for p in sys.path if p.endswith("site-packages")]
    env = {
        **os.environ,
        **PINNED_ENV,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), *site_packages]),
    }
    result = subprocess.run(
        [str(spaced / "python"), "-m", "invoke", "build"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, output_of(result)
    assert (project.output / "index.html").is_file()


def test_clean_keeps_what_newsdigest_did_not_create(make_project):
    project = make_project(sample=True)
    assert project.build().returncode == 0
    foreign = project.root / ".output.builds" / "notes"
    foreign.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "clean"],
        cwd=project.root,
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, output_of(result)
    assert not os.path.lexists(project.output)
    assert foreign.is_dir() and "Kept" in result.stdout
    assert not list((project.root / ".output.builds").glob("site-*"))


def test_removing_a_build_never_follows_a_link(tmp_path):
    target = tmp_path / "t"
    target.mkdir()
    (target / "f").write_text("x")
    (tmp_path / "site-l").symlink_to(target)
    (tmp_path / "site-l.json").write_text('{"newsdigest": 1}')
    assert not staging.remove_build(tmp_path / "site-l")
    assert (target / "f").exists()


def test_every_override_reaches_pelican():
    """Pelican keeps only the last ``-e``: all overrides must follow one."""
    command = pelican_command("s.py", overrides={"A": 1, "B": [2]})
    assert command.count("-e") == 1
    assert command[-2:] == ["A=1", "B=[2]"]

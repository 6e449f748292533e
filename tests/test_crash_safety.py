"""kill -9 at every step of a build, the swap, precompression and a deploy.

A build killed at any moment must leave the site served at ``output/`` either
the old complete site or the new complete one, and the next build must finish
by itself: it takes the dead build's lock over (saying so) and removes its
half-written staging, temporary files, records and swap link. The kills are
real ``SIGKILL``s, sent by a test-only plugin of the test project to its own
process at the chosen step (newsdigest has no such hook), or from outside at a
moment seen on the file system.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from newsdigest.engine.run import pelican_command
from newsdigest.publishing.manifest import verify_site
from newsdigest.siteconf import PLUGINS as SITE_PLUGINS
from tests.helpers import PINNED_ENV, item, output_of, tree

pytestmark = pytest.mark.slow

# Kills its own process with SIGKILL the first time the build reaches the step
# named by KILL_AT, by wrapping the function that does that step.
KILL_PLUGIN = """
import os, signal
from pathlib import Path

from pelican import signals

STEP = os.environ.get("KILL_AT", "")


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def wrap(module, name, when=lambda *a, **k: True):
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        if when(*args, **kwargs):
            die()
        return real(*args, **kwargs)

    setattr(module, name, wrapper)


written = []


def content_written(path, context=None):
    written.append(path)
    if STEP == "writing" and len(written) == 5:
        die()


def register():
    import newsdigest.publishing.compress as compress
    import newsdigest.filemodes as filemodes
    import newsdigest.plugins.publish as publish
    import newsdigest.publishing.staging as staging

    signals.content_written.connect(content_written)
    calls = []

    def nth(n):
        def when(*args, **kwargs):
            calls.append(1)
            return len(calls) == n
        return when

    def named(pattern):
        return lambda path, *a, **k: Path(path).match(pattern)

    if STEP == "precompress":
        wrap(compress, "_write_sibling", nth(7))
    elif STEP == "record":  # the published record is complete in its temp file
        wrap(filemodes.os, "replace", lambda src, dst: Path(dst).match("site-*.json"))
    elif STEP == "rename":  # the record is written, the folder not yet renamed
        wrap(staging.Path, "rename", lambda src, dst: src.name.startswith("staging-"))
    elif STEP == "link":  # the build renamed, the swap link not yet made
        wrap(staging.os, "symlink", lambda src, dst: ".swap-" in str(dst))
    elif STEP == "swap":  # the swap link made, not yet renamed over output
        wrap(staging.os, "replace", lambda src, dst: Path(dst).name == "output")
    elif STEP == "manifest":  # the site is live, its manifest not yet written
        wrap(publish, "write_manifest")
    elif STEP == "prune":  # half-way through deleting an old build
        real = staging.shutil.rmtree

        def half(path, *args, **kwargs):
            if Path(path).name.startswith("site-"):
                (Path(path) / "index.html").unlink()
                die()
            return real(path, *args, **kwargs)

        staging.shutil.rmtree = half
"""
STEPS = ["writing", "precompress", "record", "rename", "link", "swap", "manifest"]
STEPS += ["prune"]
PLUGINS = [*SITE_PLUGINS, "killplugin"]
PUBLISH = {
    "precompress": ["gzip", "br"],
    "keep_builds": 1,
    "build_date": "2022-02-01T00:00:00+00:00",
}


def build(
    project, settings: str = "pelicanconf.py", **env: str
) -> subprocess.CompletedProcess[str]:
    # The crash points are about output/ and its kept builds, whatever the
    # settings file (a development build has its own output-dev/ otherwise).
    overrides: dict[str, object] = {"DIGEST_PUBLISH": PUBLISH, "OUTPUT_PATH": "output"}
    if env:
        overrides["PLUGINS"] = PLUGINS
    return subprocess.run(
        pelican_command(settings, overrides=overrides),
        cwd=project.root,
        env={**os.environ, **PINNED_ENV, "COLUMNS": "300", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def leftovers(project) -> list[str]:
    """What only a build that did not finish leaves behind."""
    builds = project.root / ".output.builds"
    names = [p.name for p in builds.iterdir()]
    folders = {n for n in names if (builds / n).is_dir()}
    left = [n for n in names if n.startswith(("staging-", "."))]
    left += [
        n
        for n in names
        if n.endswith(".json")
        and n.removesuffix(".json").removesuffix(".manifest") not in folders
    ]
    left += [p.name for p in project.root.glob(".output.swap-*")]
    return sorted(left)


@pytest.fixture
def site(make_project):
    """A published site of five items (with the kill plugin ready, not loaded)."""
    project = make_project()
    for n in range(5):
        project.write(
            f"content/items/story-{n}.md",
            item(
                title=f"Story {n}",
                source_url=f"https://example.com/{n}",
                date=f"2022-01-1{n}T10:00:00+00:00",  # distinct: one order
            ),
        )
    project.write("killplugin.py", KILL_PLUGIN)
    project.output_override = "output"
    result = build(project)
    assert result.returncode == 0, output_of(result)
    return project


@pytest.mark.parametrize("step", STEPS)
def test_a_build_killed_at_any_step_leaves_a_whole_site_and_the_next_build_recovers(
    site, step
):
    old = tree(site.output, reproducible=True)
    for n in range(3):
        site.write(
            f"content/items/zebra-{n}.md",
            item(
                title=f"Zebra {n}",
                source_url=f"https://example.com/z{n}",
                date=f"2022-01-2{n}T10:00:00+00:00",
            ),
        )

    killed = build(site, KILL_AT=step)
    assert killed.returncode == -signal.SIGKILL, output_of(killed)
    # The site served is the old or the new one, each whole: never missing or mixed.
    served = tree(site.output, reproducible=True)
    assert (site.output / "index.html").is_file()

    again = build(site)

    out = output_of(again)
    assert again.returncode == 0, out
    new = tree(site.output, reproducible=True)
    assert served in (old, new)
    assert "Zebra 2" in site.page("index.html")
    assert leftovers(site) == []
    assert "Took over the build lock" in " ".join(out.split())
    assert "Traceback" not in out
    live = site.output.resolve()
    verify_site(live)  # the deploy gate's manifest is whole and matches
    assert json.loads(live.with_name(live.name + ".json").read_text())["pages"]


def test_a_lock_released_in_order_is_not_reported_as_taken_over(site):
    result = build(site)
    assert result.returncode == 0, output_of(result)
    assert "Took over" not in output_of(result)


RSYNC_WORK = re.compile(r"(^|/)(\.~tmp~/|\.[^/]+\.[A-Za-z0-9]{6}$)")


def served(www) -> dict[str, str]:
    """The site's pages in ``www``: rsync's hidden work folders (``.~tmp~/``)
    and the temporary file of the transfer it was killed in left out."""
    return {name: h for name, h in tree(www).items() if not RSYNC_WORK.search(name)}


def test_a_deploy_killed_mid_way_leaves_the_served_site_whole_and_reruns(
    site, tmp_path
):
    www = tmp_path / "www"
    with (site.root / "publishconf.py").open("a") as conf:
        conf.write(
            f'\nDIGEST_DEPLOY = {{"targets": {{"local": {{"kind": "rsync", '
            f'"destination": "{www}", "delete": True}}}}}}\n'
        )
    deploy = [sys.executable, "-m", "newsdigest", "deploy", "local", "--project", "."]
    env = {**os.environ, **PINNED_ENV}
    assert build(site, "publishconf.py").returncode == 0
    first = subprocess.run(deploy, cwd=site.root, env=env, capture_output=True)
    assert first.returncode == 0, first.stderr
    old = tree(www)
    (site.content / "items" / "story-0.md").unlink()  # rsync deletes its page
    for n in range(300):  # enough files that rsync is seen half-way
        site.write(
            f"content/items/bulk-{n}.md",
            item(title=f"Bulk {n}", source_url=f"https://example.com/bulk/{n}"),
        )
    built = build(site, "publishconf.py")
    assert built.returncode == 0, output_of(built)
    process = subprocess.Popen(
        deploy,
        cwd=site.root,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Killed once rsync has sent its first new file (held back, or in place).
    while not any(p.is_file() and "bulk-" in str(p) for p in www.rglob("*")):
        assert process.poll() is None, "the deploy ended before it could be killed"
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)  # the deploy and its rsync
    process.wait()
    assert served(www) == old  # nothing new in place yet, nothing deleted

    again = subprocess.run(
        deploy, cwd=site.root, env=env, capture_output=True, text=True, check=False
    )

    assert again.returncode == 0, output_of(again)
    assert tree(www) == tree(site.output)  # no work folders left either

"""A disk that fills up during precompression or search indexing.

The output and the cache sit on a real tmpfs in a user and mount namespace
(``unshare -rm``; skipped where the system allows none). A test-only plugin of
the test project fills that disk just before the chosen step, so the step
itself meets the kernel's ENOSPC. The curator must see one line naming the
step and ENOSPC, no traceback, and the site published before must stay.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from newsdigest.siteconf import PLUGINS as SITE_PLUGINS
from tests.helpers import PINNED_ENV, item, output_of

pytestmark = pytest.mark.slow

# Fills the disk holding OUTPUT_PATH just before the step named by FILL_AT.
FILL_PLUGIN = """
import os
from pathlib import Path

STEP = os.environ.get("FILL_AT", "")


def fill(folder):
    with open(Path(folder) / "ballast", "wb") as ballast:
        try:
            while True:
                ballast.write(b"\\0" * 65536)
                ballast.flush()
        except OSError:
            pass
        try:
            while True:  # the last partial block
                ballast.write(b"\\0")
                ballast.flush()
        except OSError:
            pass


def before(module, name):
    real = getattr(module, name)

    def wrapper(site, *args, **kwargs):
        fill(os.environ["MNT"])
        return real(site, *args, **kwargs)

    setattr(module, name, wrapper)


def register():
    import newsdigest.publishing.compress as compress
    import newsdigest.plugins.publish  # noqa: F401  (imports compress lazily)
    import newsdigest.plugins.search as search

    if STEP == "precompress":
        before(compress, "precompress")
    elif STEP == "search":  # Pagefind writes the index
        before(search, "build_index")
    elif STEP == "search-copy":  # the index is copied into the site
        before(search, "copy_bundle")
"""

SCRIPT = """
set -u
mount -t tmpfs -o size=64m tmpfs "$MNT" || exit 99
build() {
  "$PYTHON" -m pelican content -s pelicanconf.py -e "OUTPUT_PATH=\\"$MNT/output\\"" \
    "CACHE_PATH=\\"$MNT/cache\\"" "PLUGINS=$PLUGINS" "DIGEST_PUBLISH=$PUBLISH"
}
digest() { (cd "$MNT/output" && find -L . -type f -exec sha256sum {} + | sort); }
FILL_AT= build > first.log 2>&1 || { cat first.log; exit 98; }
digest > before.txt
cp zebra.md content/items/
build > second.log 2>&1; echo $? > second.rc
rm -f "$MNT/ballast"
digest > after.txt
ls -a "$MNT/.output.builds" > builds.txt
"""

STEPS = {
    "precompress": "Could not precompress the site",
    "search": "Search indexing failed",
    "search-copy": "Search indexing failed",
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_disk_full_during_a_step_is_one_line_naming_it_and_the_site_stays(
    make_project, step
):
    if not shutil.which("unshare"):
        pytest.skip("needs unshare")
    project = make_project()
    for n in range(3):
        project.write(
            f"content/items/story-{n}.md",
            item(title=f"Story {n}", source_url=f"https://example.com/{n}"),
        )
    project.write("zebra.md", item(title="Zebra", source_url="https://e.com/z"))
    project.write("fillplugin.py", FILL_PLUGIN)
    mnt = project.root / "disk"
    mnt.mkdir()
    publish = {"precompress": ["gzip", "br"], "build_date": "2022-02-01T00:00:00Z"}
    result = subprocess.run(
        ["unshare", "-rm", "bash", "-c", SCRIPT],
        cwd=project.root,
        env={
            **os.environ,
            **PINNED_ENV,
            "COLUMNS": "400",
            "MNT": str(mnt),
            "PYTHON": sys.executable,
            "FILL_AT": step,
            "PLUGINS": json.dumps([*SITE_PLUGINS, "fillplugin"]),
            "PUBLISH": json.dumps(publish),
        },
        capture_output=True,
        text=True,
    )
    if result.returncode == 99:
        pytest.skip("cannot mount a tmpfs in a user namespace here")
    assert result.returncode == 0, output_of(result)
    second = " ".join((project.root / "second.log").read_text().split())
    assert (project.root / "second.rc").read_text().strip() != "0", second
    assert "Traceback" not in second
    stopped = second.split("CRITICAL")[1:]
    assert len(stopped) == 1, second
    assert STEPS[step] in stopped[0] and "(ENOSPC)" in stopped[0], second
    before = (project.root / "before.txt").read_text()
    assert before and (project.root / "after.txt").read_text() == before
    builds = (project.root / "builds.txt").read_text().split()
    assert not [n for n in builds if n.startswith("staging-")]

"""The dev server's fast render: a body edit's page is written into the served
build before the full rebuild, with the bytes that rebuild writes.

A builder process (``BuilderProcess``) is told about one edited file; it
answers ``fast`` (the page it wrote) before the full build when the edit
changes nothing other pages show, and the full build must then agree with a
cold build of the same content, file for file.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from newsdigest.engine.devserver import (
    BuilderProcess,
    changed_paths,
)
from tests.helpers import PINNED_ENV, tree
from tests.test_e2e_serve import (
    REBUILD_TIMEOUT,
    SEED_ITEM,
    SEED_TITLE_END,
    assert_stops_cleanly,
    front_matter_title,
    get,
    set_front_matter,
    start_server,  # noqa: F401 (a fixture)
    wait_for,
)

pytestmark = pytest.mark.slow

SEED_PAGE_FILE = (
    "2022/01/lavrov-says-russia-will-take-necessary-measures-if-the-west-does-"
    "not-answer-its-security-proposals/index.html"
)
ADDED = "A sentence the curator added to the body."


def _with_sentence(text: str, sentence: str = ADDED) -> str:
    return text.rstrip("\n") + f"\n\n{sentence}\n"


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PINNED_ENV.items():
        monkeypatch.setenv(name, value)


def _build(
    builder: BuilderProcess, item: Path, served: Path
) -> tuple[bool | None, dict]:
    """One rebuild after ``item`` changed; what the fast render wrote, read
    from the served build when the builder announced it (before the full
    build ends)."""
    fast: dict[str, bytes] = {}

    def on_fast(page: str, _seconds: float, restored: bool) -> None:
        fast[("restored:" if restored else "") + page] = (served / page).read_bytes()

    return builder.build([item], on_fast), fast


def test_a_body_edit_is_served_at_once_with_the_bytes_of_a_cold_build(
    make_project, pinned
):
    served, fresh = make_project(sample=True), make_project(sample=True)
    item = served.root / SEED_ITEM
    edited = _with_sentence(item.read_text(encoding="utf-8"))
    builder = BuilderProcess(served.root, "pelicanconf.py")
    try:
        assert builder.start() is True
        item.write_text(edited, encoding="utf-8")
        outcome, fast = _build(builder, item, served.output)
    finally:
        builder.stop()
    assert outcome is True
    assert list(fast) == [SEED_PAGE_FILE]
    assert ADDED in fast[SEED_PAGE_FILE].decode("utf-8")
    # The full build wrote the same bytes for that page ...
    assert (served.output / SEED_PAGE_FILE).read_bytes() == fast[SEED_PAGE_FILE]
    # ... and the whole site is what a cold build of the edit makes.
    fresh.write(SEED_ITEM, edited)
    built = fresh.build()
    assert built.returncode == 0, built.stdout + built.stderr
    assert tree(served.output, reproducible=True) == tree(
        fresh.output, reproducible=True
    )
    assert os.stat(served.output / SEED_PAGE_FILE).st_mode & 0o777 == 0o644


def test_a_save_during_the_rebuild_is_shown_at_once_and_stays(make_project, pinned):
    """The curator saves again while the full rebuild of the first save runs:
    the second save is rendered at once (not after that rebuild), and the
    build swapped in meanwhile, which may have read the first save only,
    gets it too; the next build agrees with a cold build of the last save."""
    served, fresh = make_project(sample=True), make_project(sample=True)
    item = served.root / SEED_ITEM
    original = item.read_text(encoding="utf-8")
    first, second = _with_sentence(original), _with_sentence(original, "Saved again.")
    page = served.output / SEED_PAGE_FILE
    shown: list[tuple[str, bytes]] = []

    def on_fast(name: str, _seconds: float, _restored: bool) -> None:
        shown.append((name, page.read_bytes()))
        if len(shown) == 1:  # the first save's page is shown; its build runs
            item.write_text(second, encoding="utf-8")
            builder.fast([item])

    builder = BuilderProcess(served.root, "pelicanconf.py")
    try:
        assert builder.start() is True
        item.write_text(first, encoding="utf-8")
        assert builder.build([item], on_fast) is True
        during = list(shown)
        after_first_build = page.read_bytes()
        assert builder.build([item], on_fast) is True
    finally:
        builder.stop()
    assert [name for name, _ in during] == [SEED_PAGE_FILE, SEED_PAGE_FILE]
    assert ADDED in during[0][1].decode() and "Saved again." in during[1][1].decode()
    assert "Saved again." in after_first_build.decode()
    fresh.write(SEED_ITEM, second)
    built = fresh.build()
    assert built.returncode == 0, built.stdout + built.stderr
    assert tree(served.output, reproducible=True) == tree(
        fresh.output, reproducible=True
    )


def test_an_invalid_edit_is_not_fast_rendered_and_keeps_the_page(
    make_project, pinned, capfd
):
    served = make_project(sample=True)
    item = served.root / SEED_ITEM
    original = item.read_text(encoding="utf-8")
    # A body edit with a topic the site does not declare.
    broken = _with_sentence(original).replace(
        "topic: geopolitics", "topic: nonexistent", 1
    )
    builder = BuilderProcess(served.root, "pelicanconf.py")
    try:
        assert builder.start() is True
        first = os.readlink(served.output)
        before = (served.output / SEED_PAGE_FILE).read_bytes()
        item.write_text(broken, encoding="utf-8")
        outcome, fast = _build(builder, item, served.output)
    finally:
        builder.stop()
    assert outcome is False and fast == {}
    assert os.readlink(served.output) == first
    assert (served.output / SEED_PAGE_FILE).read_bytes() == before
    log = "".join(capfd.readouterr())
    assert "'nonexistent' is not declared" in log, log


def test_a_body_the_reader_refuses_is_not_fast_rendered(make_project, pinned, capfd):
    """Only the body changes, and it has a problem: the metadata then says so
    (the item is skipped), so the full build runs and reports it."""
    served = make_project(sample=True)
    item = served.root / SEED_ITEM
    broken = _with_sentence(
        item.read_text(encoding="utf-8"), "[a link]({filename}nope.md)"
    )
    builder = BuilderProcess(served.root, "pelicanconf.py")
    try:
        assert builder.start() is True
        before = (served.output / SEED_PAGE_FILE).read_bytes()
        item.write_text(broken, encoding="utf-8")
        outcome, fast = _build(builder, item, served.output)
    finally:
        builder.stop()
    assert outcome is False and fast == {}
    assert (served.output / SEED_PAGE_FILE).read_bytes() == before
    assert "nope.md" in "".join(capfd.readouterr())


def test_a_fast_page_the_full_build_refuses_is_put_back(make_project, pinned, capfd):
    """The reader accepts the body, the site checks at the end do not (a link
    to an anchor the page lacks): the fast page goes, the good one is back."""
    served = make_project(sample=True)
    item = served.root / SEED_ITEM
    text = _with_sentence(item.read_text(encoding="utf-8"), "[see](#no-such-anchor)")
    builder = BuilderProcess(served.root, "pelicanconf.py")
    try:
        assert builder.start() is True
        first = os.readlink(served.output)
        before = (served.output / SEED_PAGE_FILE).read_bytes()
        item.write_text(text, encoding="utf-8")
        outcome, fast = _build(builder, item, served.output)
    finally:
        builder.stop()
    assert outcome is False
    assert b"no-such-anchor" in fast[SEED_PAGE_FILE]  # shown at once ...
    assert fast["restored:" + SEED_PAGE_FILE] == before  # ... then put back
    assert os.readlink(served.output) == first
    assert (served.output / SEED_PAGE_FILE).read_bytes() == before
    assert "no-such-anchor" in "".join(capfd.readouterr())


def test_a_title_edit_takes_the_full_build_and_updates_the_listings(
    make_project, pinned
):
    served = make_project(sample=True)
    item = served.root / SEED_ITEM
    title = front_matter_title(item)
    builder = BuilderProcess(served.root, "pelicanconf.py")
    try:
        assert builder.start() is True
        set_front_matter(item, "title", json.dumps(title + " RETITLED"))
        outcome, fast = _build(builder, item, served.output)
    finally:
        builder.stop()
    assert outcome is True and fast == {}
    home = (served.output / "index.html").read_text(encoding="utf-8")
    assert f"{SEED_TITLE_END} RETITLED" in home


def test_a_build_line_names_only_a_list_of_strings():
    assert changed_paths('["/a/b.md"]') == [Path("/a/b.md")]
    for hostile in ("", "nope", '{"a": 1}', "[1, 2]", '"x"', "[null]"):
        assert changed_paths(hostile) == []


def test_livereload_serves_a_body_edit_by_the_fast_render(
    make_project,
    start_server,  # noqa: F811 (the fixture imported above)
):
    project = make_project(sample=True)
    item = project.root / SEED_ITEM
    server = start_server(project, "livereload")
    # No build yet: the "building" page answers at once, then the site.
    statuses = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, body, _ = get(server.port, "/", timeout=5)
        except OSError:
            time.sleep(0.05)
            continue
        statuses.append(status)
        if status == 503:
            assert "Building the site" in body, body
        if status == 200:
            break
        time.sleep(0.05)
    assert statuses[0] == 503 and statuses[-1] == 200, statuses
    assert "503 GET" not in server.output()  # not logged as an error each time

    item.write_text(_with_sentence(item.read_text(encoding="utf-8")), encoding="utf-8")
    wait_for(
        lambda: f"fast render of {SEED_PAGE_FILE}" in server.output(),
        REBUILD_TIMEOUT,
        "the fast render",
        server,
    )
    status, page, _ = get(server.port, "/" + SEED_PAGE_FILE)
    assert status == 200 and ADDED in page
    wait_for(
        lambda: server.output().count("rebuilt in") >= 2,
        REBUILD_TIMEOUT,
        "the full rebuild after it",
        server,
    )
    status, page, _ = get(server.port, "/" + SEED_PAGE_FILE)
    assert status == 200 and ADDED in page
    assert "Traceback" not in server.output(), server.output()
    assert_stops_cleanly(server)

"""Golden output: the committed sample digest, built for production, byte for byte.

The build runs as every other test builds (a copy of this repository, the real
Pelican in a subprocess, clock, timezone and locale pinned; SOURCE_DATE_EPOCH fixes
the build date), and the WHOLE tree is compared with the copy kept in
``tests/golden/sample-site/``: every file's path and bytes. A change to a template,
a plugin or the sample content that moves one byte of one page shows up here as a
diff to review, not as a surprise on the live site.

Left out: ``pagefind/`` (its filter files are named anew on every run) and the
``.gz``/``.br`` siblings, which are derived; a second test proves they are (each
decompresses to the file beside it), so leaving them out hides nothing.

A deliberate change is recorded with ``pytest tests/test_golden.py --update-golden``
(or ``NEWSDIGEST_UPDATE_GOLDEN=1``); review the result with ``git diff tests/golden``.
"""

from __future__ import annotations

import difflib
import gzip
import os
import shutil
from pathlib import Path

import brotli
import pytest

from tests.helpers import copy_project, output_of, varies_per_run

GOLDEN = Path(__file__).parent / "golden" / "sample-site"
UPDATE_ENV = "NEWSDIGEST_UPDATE_GOLDEN"
DERIVED = {".gz": gzip.decompress, ".br": brotli.decompress}
#: A failure shows the diffs of this many changed files, each cut to DIFF_LINES
#: lines of at most LINE_CHARS characters (JSON-LD is one long line).
SHOWN_FILES = 3
DIFF_LINES = 40
LINE_CHARS = 200


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample digest built with publishconf.py: what a deploy would upload."""
    project = copy_project(tmp_path_factory.mktemp("golden"), True)
    result = project.build("publishconf.py")
    assert result.returncode == 0, output_of(result)
    return project.output.resolve()


def is_derived(name: str, names: set[str]) -> bool:
    """A precompressed sibling of another file of the tree."""
    stem, suffix = os.path.splitext(name)
    return suffix in DERIVED and stem in names


def compared_files(root: Path) -> dict[str, bytes]:
    """Path -> bytes of every file the golden copy holds for the tree at ``root``."""
    files = {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    names = set(files)
    return {
        name: path.read_bytes()
        for name, path in files.items()
        if not varies_per_run(name) and not is_derived(name, names)
    }


def describe_differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """What changed between the golden copy and a build, for a person to read: a
    unified diff of the first changed files, then every changed, added and removed
    path. Empty when the trees are equal."""
    changed = sorted(
        n for n in expected.keys() & actual.keys() if expected[n] != actual[n]
    )
    added = sorted(actual.keys() - expected.keys())
    removed = sorted(expected.keys() - actual.keys())
    if not (changed or added or removed):
        return ""
    parts = []
    for name in changed[:SHOWN_FILES]:
        parts.append(file_diff(name, expected[name], actual[name]))
    if len(changed) > SHOWN_FILES:
        parts.append(f"... and {len(changed) - SHOWN_FILES} more changed files")
    for title, names in (("changed", changed), ("added", added), ("removed", removed)):
        if names:
            parts.append(
                f"{len(names)} {title}:\n" + "".join(f"  {n}\n" for n in names)
            )
    return "\n".join(parts)


def file_diff(name: str, old: bytes, new: bytes) -> str:
    """A unified diff of one file, cut to DIFF_LINES; sizes for binary files.

    A changed line longer than LINE_CHARS (JSON-LD, minified CSS) is shown from
    just before its first changed character, so the change is always in view."""
    try:
        a = old.decode("utf-8").splitlines()
        b = new.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return f"{name}: binary file, {len(old)} bytes -> {len(new)} bytes\n"
    lines = [f"--- golden/{name}", f"+++ built/{name}"]
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(2):
        first, last = group[0], group[-1]
        old_range = hunk_range(first[1], last[2])
        lines.append(f"@@ -{old_range} +{hunk_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [" " + cut(line) for line in a[i1:i2]]
                continue
            starts = [
                first_difference(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=False)
            ]
            lines += [
                "-" + cut(line, *starts[k : k + 1]) for k, line in enumerate(a[i1:i2])
            ]
            lines += [
                "+" + cut(line, *starts[k : k + 1]) for k, line in enumerate(b[j1:j2])
            ]
    shown = [line + "\n" for line in lines[:DIFF_LINES]]
    if len(lines) > DIFF_LINES:
        shown.append(f"... {len(lines) - DIFF_LINES} more diff lines\n")
    return "".join(shown)


def hunk_range(start: int, stop: int) -> str:
    """A hunk header's range, as ``diff -u`` writes it."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def first_difference(x: str, y: str) -> int:
    return next(
        (i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q),
        min(len(x), len(y)),
    )


def cut(line: str, start: int = 0) -> str:
    """At most LINE_CHARS characters of ``line``, from a little before ``start``."""
    if len(line) <= LINE_CHARS:
        return line
    begin = max(0, min(start - LINE_CHARS // 4, len(line) - LINE_CHARS))
    end = begin + LINE_CHARS
    before = f"({begin} characters)..." if begin else ""
    after = f"...({len(line) - end} characters)" if end < len(line) else ""
    return before + line[begin:end] + after


def write_golden(files: dict[str, bytes]) -> None:
    """Replace the golden copy with ``files``: what is gone from the build goes."""
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for name, data in files.items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def update_requested(config: pytest.Config) -> bool:
    return (
        bool(config.getoption("--update-golden")) or os.environ.get(UPDATE_ENV) == "1"
    )


@pytest.mark.slow
def test_the_sample_site_is_byte_identical_to_its_golden_copy(
    built: Path, request: pytest.FixtureRequest
) -> None:
    actual = compared_files(built)
    if update_requested(request.config):
        write_golden(actual)
        pytest.skip(
            f"golden copy rewritten ({len(actual)} files): "
            "review it with `git diff tests/golden`"
        )
    assert GOLDEN.is_dir(), (
        "no golden copy: run `pytest tests/test_golden.py --update-golden`"
    )
    differences = describe_differences(compared_files(GOLDEN), actual)
    assert not differences, (
        "The built sample site differs from tests/golden/sample-site/.\n"
        + differences
        + "\nIf the change is intended: pytest tests/test_golden.py --update-golden"
    )


@pytest.mark.slow
def test_precompressed_files_are_the_files_beside_them(built: Path) -> None:
    names = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    derived = sorted(n for n in names if is_derived(n, names) and not varies_per_run(n))
    assert {os.path.splitext(n)[1] for n in derived} == set(DERIVED)
    for name in derived:
        stem, suffix = os.path.splitext(name)
        original = (built / stem).read_bytes()
        assert DERIVED[suffix]((built / name).read_bytes()) == original, name


def test_a_compressed_file_without_its_original_is_compared() -> None:
    names = {"index.html", "index.html.gz", "orphan.js.br", "search/index.html.br"}
    assert sorted(n for n in names if is_derived(n, names)) == ["index.html.gz"]


def test_differences_show_a_diff_then_changed_added_and_removed_files() -> None:
    expected = {
        "index.html": b"<h1>Digest</h1>\n<p>Old summary.</p>\n",
        "images/logo.png": b"\x89PNG\r\n\x1a\n\x00",
        "gone.html": b"<p>Gone.</p>\n",
        "same.css": b"body{}\n",
    }
    actual = {
        "index.html": b"<h1>Digest</h1>\n<p>New summary.</p>\n",
        "images/logo.png": b"\x89PNG\r\n\x1a\n\x00\x01",
        "new.html": b"<p>New.</p>\n",
        "same.css": b"body{}\n",
    }
    assert describe_differences(expected, actual) == (
        "images/logo.png: binary file, 9 bytes -> 10 bytes\n"
        "\n"
        "--- golden/index.html\n"
        "+++ built/index.html\n"
        "@@ -1,2 +1,2 @@\n"
        " <h1>Digest</h1>\n"
        "-<p>Old summary.</p>\n"
        "+<p>New summary.</p>\n"
        "\n"
        "2 changed:\n  images/logo.png\n  index.html\n"
        "\n"
        "1 added:\n  new.html\n"
        "\n"
        "1 removed:\n  gone.html\n"
    )
    assert describe_differences(expected, dict(expected)) == ""


def test_a_long_diff_is_cut_and_says_how_much_is_left() -> None:
    old = "".join(f"line {n}\n" for n in range(100)).encode()
    new = old.replace(b"line", b"LINE")
    diff = file_diff("a.html", old, new)
    assert diff.count("\n") == DIFF_LINES + 1
    assert diff.endswith(f"... {2 + 1 + 200 - DIFF_LINES} more diff lines\n")


def test_a_long_line_is_cut_and_says_how_much_is_left() -> None:
    diff = file_diff("a.json", b"[" + b"1," * 300 + b"1]", b"[]")
    assert f"-[{'1,' * 99}1...(403 characters)\n" in diff
    assert "+[]\n" in diff


def test_a_long_changed_line_is_shown_around_its_first_change() -> None:
    old = b"<p>" + b"a" * 500 + b"OLD" + b"b" * 500 + b"</p>\n"
    new = old.replace(b"OLD", b"NEW")
    diff = file_diff("a.html", old, new).splitlines()
    window = "a" * 50 + "{}" + "b" * 147
    assert diff == [
        "--- golden/a.html",
        "+++ built/a.html",
        "@@ -1 +1 @@",
        "-(453 characters)..." + window.format("OLD") + "...(357 characters)",
        "+(453 characters)..." + window.format("NEW") + "...(357 characters)",
    ]

"""The keys of the live build's files, so the next build links what did not change.

A staged build writes into a new folder beside the published one. Each file the
writer renders gets a key (``newsdigest.engine.fingerprint``); the keys, with what the
site checks learned from each file, are kept beside the builds
(``.output.outputs/newsdigest-output/``, ``newsdigest.publishing.staging.indexes_dir``)
under the name of the build they describe.

Why beside the builds and not in ``CACHE_PATH``: a cache folder may come from
elsewhere (a CI cache restore anyone's pull request can write), and an index
says which file may be reused without being rendered or checked. A planted
index naming a page's new key would publish the live build's old bytes (and
its check record) for it. The builds folder holds the site this index is
about, so whoever can write there can already change what is published; an
index can therefore never be worth more than the site it describes.

The next build loads the index of the build that is live now: a file whose
key is unchanged is hard-linked from the live build (same bytes, no rendering,
no check, no write) and its check record is taken over. An index of any other
build (one that failed its checks, a deleted one) is ignored, so a link always
points at the published bytes it was keyed on.

Files are only ever replaced, never rewritten in place (``replace_file``), so a
file shared by two builds cannot change under the published site.
"""

from __future__ import annotations

import logging
import os
import pickle
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdigest.filemodes import (
    PRIVATE_FILE,
    PUBLIC_DIR,
    PUBLIC_FILE,
    make_dirs,
    private_cache,
    write_atomic,
)

logger = logging.getLogger(__name__)

#: Folder in ``newsdigest.publishing.staging.indexes_dir``, removed with the builds by
#: ``clean_output``.
FOLDER = "newsdigest-output"
#: Bump when what an index holds changes: older indexes are then ignored.
VERSION = 2


# The only classes an index may contain (plain containers aside): a pickle
# naming any other callable is refused before anything is called.
_ALLOWED = frozenset(
    {
        ("newsdigest.engine.outputcache", "Entry"),
        ("newsdigest.engine.outputcache", "OutputIndex"),
        ("newsdigest.sitecheck.checker", "FileRecord"),
        ("newsdigest.problems", "Problem"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
    }
)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in an index")


@dataclass
class Entry:
    """One file of a build: its key, the site checks' record of it, and the
    file as it was written (inode, size, mtime), so a file changed since in the
    published build is written again, never passed on."""

    key: str
    record: Any = None
    state: tuple[int, int, int] | None = None


def file_state(path: Path) -> tuple[int, int, int] | None:
    """What tells a file from a changed copy of it, without reading it."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


@dataclass
class OutputIndex:
    """The files of one build, by site-relative path."""

    build: str  # the name the build folder has once published
    site_key: str  # settings, code and theme: a change makes every key new
    entries: dict[str, Entry] = field(default_factory=dict)


def index_path(cache: Path, build: str) -> Path:
    return cache / FOLDER / f"{build}.pickle"


def load_index(cache: Path, build: str | None, site_key: str) -> OutputIndex | None:
    """The index of ``build`` if it exists and was made with the same site key."""
    if not build:
        return None
    path = index_path(cache, build)
    try:
        private_cache(cache, FOLDER)  # never read one another user could write
        with path.open("rb") as file:
            version, index = _Unpickler(file).load()
    except FileNotFoundError:
        return None
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
    ) as error:
        logger.info("Ignoring the output index %s: %s", path, error)
        return None
    if version != VERSION or not isinstance(index, OutputIndex):
        return None
    if index.build != build or index.site_key != site_key:
        return None
    return index


def save_index(cache: Path, index: OutputIndex, keep: set[str]) -> None:
    """Write ``index`` (temp file + rename) and drop indexes of builds not in
    ``keep`` (the live one and this one)."""
    folder = private_cache(cache, FOLDER)
    data = pickle.dumps((VERSION, index), protocol=pickle.HIGHEST_PROTOCOL)
    write_atomic(index_path(cache, index.build), data, PRIVATE_FILE, sync=False)
    for old in folder.glob("*.pickle"):
        if old.stem not in keep | {index.build}:
            old.unlink(missing_ok=True)


def link_from(previous: Path, staged: Path) -> bool:
    """Hard-link ``previous`` (a file of the live build) to ``staged``; False if
    it is gone or the file system cannot link (then the caller renders)."""
    try:
        try:
            os.link(previous, staged, follow_symlinks=False)
        except FileNotFoundError:  # its folder is not made yet
            make_dirs(staged.parent, PUBLIC_DIR)
            os.link(previous, staged, follow_symlinks=False)
        except FileExistsError:  # replaced: never written through
            staged.unlink()
            os.link(previous, staged, follow_symlinks=False)
    except OSError as error:
        logger.debug("Cannot link %s: %s", previous, error)
        return False
    return True


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a new file (temp + rename), so that a hard
    link the path had to the live build is replaced, not written through.
    Published output: 0644 in 0755 folders."""
    make_dirs(path.parent, PUBLIC_DIR)
    write_atomic(path, data, PUBLIC_FILE, sync=False)

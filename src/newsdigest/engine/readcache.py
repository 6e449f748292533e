"""Read items cached by content, so a warm build skips YAML, Markdown and nh3.

Why by content and not by modification time: a checkout, a CI cache restore or a
copy changes every mtime and nothing else; a key built from what the result
depends on stays valid across all of them and can never serve a stale result.
A key is the sha256 of the item's bytes, its place in content/, the settings
that shape the result, the topics file, and the code: the installed versions of
the libraries that render, and the source of every newsdigest module (any edit
to the code starts a fresh cache, so no schema version must be bumped by hand).

Some results also depend on other files: a ``{static}`` or ``{filename}`` link
must reach a real file, a front-matter image must exist and be an image. Those
paths are stored with the entry together with what they were (a link on the
way, a file or not, size and modification time in nanoseconds); an entry whose
paths changed is read again.

Entries are pickles written atomically (temporary file, then rename). They are
loaded with an unpickler that only builds plain data and newsdigest's own value
classes, so a planted cache file cannot run code; a file that is corrupt,
truncated or from another version is a miss, never a traceback.

A process that builds many times (``invoke livereload``) calls
``keep_in_memory()`` once; its caches then also keep the entries of the last
run in memory, under the same keys, so a rebuild neither reads nor unpickles an
unchanged item. Only the entries the last run used are kept, so the memory
holds one site's items however many edits made new keys. A hit from memory is a
fresh copy: Pelican and the plugins may change what a read gives them, and the
next run must start from what the file said. A one-off build keeps nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import logging
import pickle
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from newsdigest.filemodes import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    make_dirs,
    private_cache,
    write_atomic,
)

logger = logging.getLogger(__name__)

FORMAT = 1
# Every cache newsdigest keeps under CACHE_PATH is a folder named PREFIX + its job.
PREFIX = "newsdigest-"
FOLDER = PREFIX + "items"
# Libraries whose output is part of a read item.
RENDERING_PACKAGES = ("markdown", "nh3", "pyyaml", "pelican")
# The only classes an entry may contain (plain containers aside): a global not
# listed here refuses the entry, so a planted file cannot call anything.
_ALLOWED = frozenset(
    {
        ("newsdigest.engine.readcache", "Entry"),
        ("newsdigest.engine.readcache", "Dependency"),
        ("newsdigest.problems", "Problem"),
        ("newsdigest.model.topics", "Topic"),
        ("newsdigest.dates", "DayDate"),
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("zoneinfo", "ZoneInfo"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
    }
)


_MEMORY = {"on": False}


def keep_in_memory(on: bool = True) -> None:
    """For a process that builds many times: caches made from now on keep the
    entries of the last run in memory too."""
    _MEMORY["on"] = on


@dataclass(frozen=True)
class Dependency:
    """What a content-relative path was when an entry was made."""

    path: str
    state: tuple[Any, ...]


@dataclass
class Entry:
    """A read item as plain data: rebuilt into Pelican objects by the reader."""

    result: Any
    dependencies: tuple[Dependency, ...]


@cache
def code_version() -> str:
    """A hash of newsdigest's own source and the rendering libraries' versions."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name in RENDERING_PACKAGES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name} {version}\n".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def entry_key(data: bytes, parts: Iterable[Any]) -> str:
    """The key of an item: its bytes plus everything else that shapes its result.

    ``parts`` are compared by ``repr``: plain settings values (strings, lists,
    dicts) repr the same from run to run."""
    digest = hashlib.sha256(code_version().encode())
    for part in parts:
        digest.update(b"\0" + repr(part).encode("utf-8", "surrogatepass"))
    digest.update(b"\0\0" + data)
    return digest.hexdigest()


def path_state(root: Path, relative: str) -> tuple[Any, ...]:
    """What a check that looks at ``root/relative`` can see of it, cheaply."""
    current = root
    links = []
    for part in Path(relative).parts:
        current = current / part
        links.append(current.is_symlink())
    try:
        stat = current.stat()
    except OSError:
        return (tuple(links), None)
    return (tuple(links), stat.st_mode >> 12, stat.st_size, stat.st_mtime_ns)


def dependencies(root: Path, paths: Iterable[str]) -> tuple[Dependency, ...]:
    return tuple(
        Dependency(path, path_state(root, path)) for path in sorted(set(paths))
    )


def _zoneinfo_method(owner: Any, name: str) -> Any:
    """The one ``getattr`` a pickle of a ZoneInfo needs (``ZoneInfo._unpickle``)."""
    if owner is ZoneInfo and name == "_unpickle":
        return ZoneInfo._unpickle  # type: ignore[attr-defined]
    raise pickle.UnpicklingError(f"getattr({owner!r}, {name!r}) is not allowed")


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name == "getattr":
            return _zoneinfo_method
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache")


class ItemCache:
    """Entries under ``folder`` (``CACHE_PATH/newsdigest-items``), one per key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self.memory_hits = 0
        self._private = False  # the folder checked (0700, ours) this run
        self.memory = _MEMORY["on"]
        # key -> entry, for the keys this run used and those the last run used.
        self._current: dict[str, Entry] = {}
        self._last: dict[str, Entry] = {}

    def next_run(self) -> None:
        """Keep in memory only the entries the run that just ended used."""
        self._last, self._current = self._current, {}
        self.hits = self.misses = self.memory_hits = 0
        self._private = False

    def _remembered(self, key: str, root: Path) -> Entry | None:
        if not self.memory:
            return None
        entry = self._current.get(key) or self._last.pop(key, None)
        if entry is None:
            return None
        if not _fresh(entry, root):
            self._current.pop(key, None)
            return None
        self._current[key] = entry
        return entry

    def _check_private(self) -> None:
        """Entries are unpickled: only a folder of ours that no other user can
        write is read or written (``PermissionError`` otherwise). Checked once
        a run."""
        if not self._private:
            private_cache(self.folder.parent, self.folder.name)
            self._private = True

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def load(self, key: str, root: Path) -> Any | None:
        """The cached result of ``key``, or None (absent, unreadable, stale)."""
        remembered = self._remembered(key, root)
        if remembered is not None:
            self.hits += 1
            self.memory_hits += 1
            return fresh_copy(remembered.result)
        path = self._path(key)
        try:
            self._check_private()
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            entry = _Unpickler(io.BytesIO(data)).load()
            if not isinstance(entry, Entry):
                raise TypeError(type(entry).__name__)
            fresh = _fresh(entry, root)
        except Exception as exc:  # any damage to the file means: read again
            logger.debug("Ignoring the damaged cache file %s: %s", path, exc)
            self.misses += 1
            return None
        if not fresh:
            self.misses += 1
            return None
        self.hits += 1
        if not self.memory:
            return entry.result
        self._current[key] = entry
        return fresh_copy(entry.result)

    def store(self, key: str, result: Any, deps: tuple[Dependency, ...]) -> None:
        """Write atomically; a cache that cannot be written only costs speed."""
        if self.memory:
            self._current[key] = Entry(fresh_copy(result), deps)
        path = self._path(key)
        try:
            self._check_private()
            make_dirs(path.parent, PRIVATE_DIR)
            data = pickle.dumps(Entry(result, deps), protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(path, data, PRIVATE_FILE, sync=False)
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            logger.debug("Cannot write the cache file %s: %s", path, exc)


def fresh_copy(value: Any) -> Any:
    """A copy no later change to ``value`` reaches: its containers are copied,
    everything else is shared. Everything else an entry may hold (``_ALLOWED``:
    frozen dataclasses, dates, strings, numbers) is immutable, so this is a deep
    copy at a fraction of ``copy.deepcopy``'s cost."""
    kind = type(value)
    if kind is dict:
        return {key: fresh_copy(item) for key, item in value.items()}
    if kind is list:
        return [fresh_copy(item) for item in value]
    if kind is tuple:
        return tuple(fresh_copy(item) for item in value)
    if kind is set:
        return {fresh_copy(item) for item in value}
    return value


def _fresh(entry: Entry, root: Path) -> bool:
    """Whether every path the entry's checks looked at is still as it was."""
    return all(path_state(root, dep.path) == dep.state for dep in entry.dependencies)


def remove_cache(cache_path: Path) -> bool:
    """Remove newsdigest's caches under ``cache_path`` (``invoke clean``): every
    ``newsdigest-*`` folder (read items here, the search index of
    ``newsdigest.plugins.search``), and ``cache_path`` itself when nothing else is left
    in it; True if any existed. Other caches kept there (Pelican's own) are left
    alone."""
    if cache_path.is_symlink() or not cache_path.is_dir():
        return False
    ours = [
        folder
        for folder in cache_path.glob(f"{PREFIX}*")
        if folder.is_dir() and not folder.is_symlink()
    ]
    for folder in ours:
        shutil.rmtree(folder)
    with contextlib.suppress(OSError):
        cache_path.rmdir()  # only when empty
    return bool(ours)

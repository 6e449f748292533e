"""The modes of everything newsdigest writes, whatever the caller's umask.

A build run under ``umask 000`` (a CI runner, a cron job, a shared account)
would otherwise leave the deploy gate's record, the caches and the lock
world-writable, so any local user could rewrite what gets deployed or plant a
cache entry that the next build unpickles. So no writer relies on the umask:

* private state (build records, manifests, caches, the lock, ingest state) is
  ``0600`` in folders of ``0700``;
* published output is ``0644`` in folders of ``0755``: readable by a web server
  running as another user, never group- or world-writable;
* drafts and other source files written for the curator are ``0644``.

Every file is written to a temporary file in the same folder, flushed to disk
and renamed into place, so a kill at any moment leaves the old file or the new
one, never half of one. Files that third-party tools write (Pagefind, Pelican's
writer) are fixed with ``fix_tree`` after they are written.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PUBLIC_FILE = 0o644
PUBLIC_DIR = 0o755


def make_dirs(path: Path, mode: int) -> Path:
    """``mkdir -p`` giving every folder it creates exactly ``mode``.

    Folders that already exist are left as they are: only newsdigest's own
    folders get a mode forced on them, by their owners (``ensure_dir``)."""
    missing = []
    current = Path(path)
    while not current.is_dir():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue
        os.chmod(folder, mode)  # mkdir's mode is masked by the umask
    return path


def ensure_dir(path: Path, mode: int) -> Path:
    """A folder newsdigest owns (a cache, its state), with exactly ``mode``,
    also when an earlier version left it with a lax one.

    Raises ``PermissionError`` for a symlink or a folder another user owns
    (planted in a writable parent): its contents cannot be trusted."""
    make_dirs(path, mode)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise PermissionError(
            errno.EPERM, "not a folder of this user's, refusing to use it", str(path)
        )
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)
    return path


def private_cache(cache: Path, name: str) -> Path:
    """``CACHE_PATH/<name>``, one of newsdigest's caches: 0700, ours.

    A missing ``CACHE_PATH`` is created 0700 too; an existing one is left as it
    is (it may be a folder shared with other tools), the cache folder in it is
    what must stay private."""
    make_dirs(cache, PRIVATE_DIR)
    return ensure_dir(cache / name, PRIVATE_DIR)


def write_new_file(path: Path, text: str, mode: int) -> Path:
    """Create ``path`` with ``text`` and ``mode``; ``FileExistsError`` if it
    exists (never overwrites a file a person wrote)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, mode)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        os.fchmod(handle.fileno(), mode)
        handle.write(text)
    return path


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (ignored where folders cannot be
    opened for syncing)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(
    path: Path, data: bytes | str, mode: int, *, sync: bool = True
) -> Path:
    """Replace ``path`` by ``data`` with ``mode``: temp file + fsync + rename.

    The temporary file is created ``0600`` (``mkstemp``) and gets ``mode`` by
    ``fchmod`` before it is renamed, so the file is never visible with any
    other mode. A hard link ``path`` had (the incremental writer shares files
    with the live build) is replaced, never written through."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = path.parent
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if sync:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    if sync:
        fsync_dir(folder)
    return path


def fix_tree(root: Path, dir_mode: int, file_mode: int) -> None:
    """Give ``root`` and everything under it (never following a symlink) the
    given modes: for files that other tools wrote with the umask."""
    os.chmod(root, dir_mode)
    for top, dirs, files in os.walk(root):
        for name in dirs:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                os.chmod(path, dir_mode)
        for name in files:
            path = os.path.join(top, name)
            if not os.path.islink(path):
                os.chmod(path, file_mode)

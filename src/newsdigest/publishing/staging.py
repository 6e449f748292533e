"""The published tree on disk: staging folders, the build lock, the atomic swap.

No Pelican here: ``newsdigest.plugins.publish`` (the plugin) calls these at the right
moments of a build, and tests call them with plain folders.

Layout, for ``OUTPUT_PATH = "output"``::

    output -> .output.builds/site-20260101T120000-ab12cd   (symlink, the live site)
    .output.builds/site-20260101T120000-ab12cd/          (a build: kept for rollback)
    .output.builds/site-20260101T120000-ab12cd.json      (its record: our marker)
    .output.builds/staging-.../  + staging-....json      (a build being written)
    .output.lock                                         (held by the running build)

Only folders with a marker record beside them are ever deleted: a folder that
newsdigest did not create (an old plain ``output/`` moved aside, anything a
person put there) is left alone whatever its name. Records sit beside the
builds, not inside them, so they are never published.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import filecmp
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newsdigest.filemodes import (
    PRIVATE_FILE,
    PUBLIC_DIR,
    PUBLIC_FILE,
    fix_tree,
    make_dirs,
    write_atomic,
)
from newsdigest.problems import DigestError
from newsdigest.publishing.manifest import manifest_path
from newsdigest.settings import FORCE_ENV

logger = logging.getLogger(__name__)

MARKER_KEY = "newsdigest"
BUILD_NAME = re.compile(r"^(staging|site)-[A-Za-z0-9_.-]+$")
DIR_MODE = PUBLIC_DIR
FILE_MODE = PUBLIC_FILE
# What a project folder holds and a built site never does: such a folder is not
# an old build output, whatever OUTPUT_PATH says.
PROJECT_FILES = (
    ".git",
    "pelicanconf.py",
    "publishconf.py",
    "pyproject.toml",
    "setup.py",
    "tasks.py",
    "content",
)


# --- Names ------------------------------------------------------------------------


def builds_dir(output: Path) -> Path:
    return output.parent / f".{output.name}.builds"


def indexes_dir(output: Path) -> Path:
    """Where the output indexes of the builds are kept
    (``newsdigest.engine.outputcache``): beside the builds, never in CACHE_PATH,
    which may come from elsewhere."""
    return output.parent / f".{output.name}.outputs"


def output_of_staging(staging: Path) -> Path:
    """The output path a staging folder (``.output.builds/staging-...``) is for."""
    return staging.parent.with_name(
        staging.parent.name.removeprefix(".").removesuffix(".builds")
    )


def lock_path(output: Path) -> Path:
    return output.parent / f".{output.name}.lock"


def record_path(site: Path) -> Path:
    return site.with_name(site.name + ".json")


def os_problem(error: OSError, path: bool = True) -> str:
    """``No space left on device (ENOSPC): /srv/.output.builds/site-1/a.html``."""
    code = errno.errorcode.get(error.errno or 0, "")
    what = error.strerror or str(error)
    where = f": {error.filename}" if error.filename and path else ""
    return f"{what}{f' ({code})' if code else ''}{where}"


# --- Which output paths are safe --------------------------------------------------


def _contains(outer: Path, inner: Path) -> bool:
    return inner == outer or outer in inner.parents


def output_path_problem(output: Path, content: Path, project: Path) -> str | None:
    """Why ``output`` must not be the build's output, or None.

    The swap moves an existing folder at ``output`` aside and pruning deletes
    old builds, so the output may never be (or contain) the project, its
    content, the home folder or ``/``; a folder inside ``content/`` would be read
    back as content. Paths are compared after resolving every symlink above the
    output's own name."""
    absolute = Path(os.path.abspath(output))
    position = absolute.parent.resolve() / absolute.name
    target = position.resolve()  # where a link at the output leads
    content = content.resolve()
    project = project.resolve()
    home = Path.home().resolve()
    for path, prefix in ((position, ""), (target, f"links to {target}, which ")):
        if path == Path(path.anchor):
            return f"{prefix}is the root folder"
        for name, folder in (
            ("the project", project),
            ("the content folder", content),
            ("the home folder", home),
        ):
            if _contains(path, folder):
                return f"{prefix}contains {name} ({folder})"
        if _contains(content, path):
            return f"{prefix}is inside the content folder ({content}): it would be read"
    return None


def plain_folder_problem(folder: Path, staged: bool = True) -> str | None:
    """Why an existing plain folder at the output is not an old build to keep.

    The first staged build keeps an old plain ``output/`` as an earlier build.
    Only an empty folder or one that looks like a built site (an ``index.html``,
    none of a project's files) is taken over; anything else is refused. A
    build without staging writes into the folder (a half-written one may
    lack ``index.html``), so for it only a project is refused."""
    try:
        names = {entry.name for entry in os.scandir(folder)}
    except OSError as error:
        return f"cannot be read ({os_problem(error)})"
    if not names:
        return None
    found = sorted(names.intersection(PROJECT_FILES))
    if found:
        return f"holds {', '.join(found)}: it is a project, not a built site"
    if staged and "index.html" not in names:
        return "is a folder without index.html that newsdigest did not create"
    return None


# --- The build lock ---------------------------------------------------------------


class BuildLock:
    """An exclusive ``flock`` on ``.<output>.lock``, held over build, swap and prune.

    The kernel drops the lock when the process dies (even by SIGKILL), so a
    crashed build never blocks the next one. The file holds the holder's pid,
    only to say who is waiting for whom, and that a build taking the lock over
    from one that died did so. It is private (0600): no other user can hold
    it to stop the builds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self, timeout: float, poll: float = 0.2) -> None:
        if self.fd is not None:
            return
        fd = self._open()
        try:
            self._wait(fd, timeout, poll)
            left = os.pread(fd, 64, 0)
            if left.strip(b"0123456789\n"):
                raise DigestError(
                    f"{self.path} is not a newsdigest lock file (it holds other "
                    "data). Nothing was built. Fix: move it away; newsdigest "
                    "creates it."
                )
            if left.strip():
                logger.warning(
                    "Took over the build lock %s from pid %s, which ended without "
                    "releasing it (killed or crashed); its leftovers are removed.",
                    self.path,
                    left.decode("ascii").strip(),
                )
            try:
                os.fchmod(fd, PRIVATE_FILE)  # also one an older version left lax
            except PermissionError:
                raise DigestError(
                    f"The build lock {self.path} belongs to another user, who "
                    "could hold it to stop every build. Nothing was built. Fix: "
                    "remove it (newsdigest creates it)."
                ) from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            os.ftruncate(fd, 0)  # released in order: no holder to report
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _open(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            make_dirs(self.path.parent, PUBLIC_DIR)
            fd = os.open(self.path, flags, PRIVATE_FILE)
        except OSError as error:
            raise DigestError(
                f"Cannot open the build lock {self.path}: "
                f"{os_problem(error, path=False)}. "
                f"Nothing was built. Fix: make {self.path.parent} writable and "
                f"remove whatever is at {self.path.name} (newsdigest creates it)."
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise DigestError(
                f"The build lock {self.path} is not a regular file. Nothing was "
                f"built. Fix: remove it (newsdigest creates it)."
            )
        return fd

    def _wait(self, fd: int, timeout: float, poll: float) -> None:
        deadline = time.monotonic() + timeout
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            holder = self._holder(fd)
            if time.monotonic() >= deadline:
                raise DigestError(
                    f"Another newsdigest build ({holder}) holds {self.path}; "
                    f"waited {timeout:g} s. Nothing was built and the published "
                    "site was left as it was. Fix: let that build finish and "
                    'build again, or raise DIGEST_PUBLISH["lock_timeout"].'
                )
            if not announced:
                logger.warning(
                    "Another newsdigest build (%s) is publishing to the same "
                    "output; waiting up to %g s for it to finish.",
                    holder,
                    timeout,
                )
                announced = True
            time.sleep(poll)

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:
            text = ""
        return f"pid {text}" if text.isdigit() else "pid unknown"


@contextmanager
def build_lock(output: Path, timeout: float) -> Iterator[BuildLock]:
    """Hold the output's build lock for a block (e.g. while deploying it)."""
    lock = BuildLock(lock_path(output))
    lock.acquire(timeout)
    try:
        yield lock
    finally:
        lock.release()


# --- Our folders ------------------------------------------------------------------


def write_build_record(site: Path, record: dict[str, Any]) -> None:
    """Write the marker record beside ``site``: private (0600), and atomic and
    durable (temp file + fsync + rename), so a kill never leaves half of it."""
    data = json.dumps({MARKER_KEY: 1, **record}, indent=2, sort_keys=True)
    write_atomic(record_path(site), data + "\n", PRIVATE_FILE)


def is_ours(folder: Path) -> bool:
    """A build folder newsdigest created: a real folder (not a symlink) with our
    name pattern, directly in a builds folder, with a marker record beside it."""
    try:
        if (
            not stat.S_ISDIR(folder.lstat().st_mode)
            or not BUILD_NAME.match(folder.name)
            or not re.match(r"^\..+\.builds$", folder.parent.name)
        ):
            return False
        marker = record_path(folder)
        if marker.is_symlink():
            return False
        return MARKER_KEY in json.loads(marker.read_text())
    except (OSError, ValueError, TypeError):
        return False


def remove_build(folder: Path) -> bool:
    """Delete one of our build folders and its record; never anything else."""
    if not is_ours(folder):
        return False
    shutil.rmtree(folder)
    for companion in companions(folder):
        companion.unlink(missing_ok=True)
    return True


def companions(folder: Path) -> tuple[Path, Path]:
    """The files kept beside a build folder: its marker record and the manifest
    that deploys verify; they live and die with the folder."""
    return record_path(folder), manifest_path(folder)


def is_companion(path: Path) -> bool:
    """A record or manifest beside one of our build folders."""
    for suffix in (".manifest.json", ".json"):
        if path.name.endswith(suffix):
            build = path.with_name(path.name.removesuffix(suffix))
            if is_ours(build) and path in companions(build):
                return True
    return False


# --- The build a staging folder will replace ----------------------------------------


def published_name(staging: Path) -> str:
    """The name ``staging`` gets when ``swap_into_place`` publishes it."""
    return staging.name.replace("staging-", "site-", 1)


def live_build(staging: Path) -> Path | None:
    """The published build that the staging folder ``staging`` would replace:
    where the output link beside its builds folder points, if that is one of
    our builds; None for a first build, a plain output folder or a build that
    does not stage."""
    builds = staging.parent
    match = re.match(r"^\.(.+)\.builds$", builds.name)
    if match is None or not staging.name.startswith("staging-"):
        return None
    output = builds.parent / match.group(1)
    if not output.is_symlink():
        return None
    live = output.resolve()
    if live.parent != builds.resolve() or not is_ours(live):
        return None
    return live


def new_staging(output: Path) -> Path:
    """A fresh, marked staging folder beside the output.

    It stays 0700 (``mkdtemp``) while the build writes into it: whatever modes
    Pelican's writer gives the files under a lax umask, no other user can
    reach them, so nothing can be planted between the checks and the swap.
    ``normalise_modes`` opens it up (0755/0644) just before the swap."""
    builds = builds_dir(output)
    if builds.is_symlink() or (builds.exists() and not builds.is_dir()):
        raise DigestError(
            f"{builds} is not a folder newsdigest created. Nothing was built. "
            "Fix: move it away; newsdigest keeps its builds there."
        )
    try:
        make_dirs(builds, DIR_MODE)
        os.chmod(builds, DIR_MODE)  # a web server may serve the output link
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        staging = Path(tempfile.mkdtemp(prefix=f"staging-{stamp}-", dir=builds))
        try:
            write_build_record(staging, {"pid": os.getpid()})
        except OSError:
            staging.rmdir()  # still empty: nothing else can be lost
            raise
    except OSError as error:
        raise DigestError(
            f"Cannot create a staging folder in {builds}: {os_problem(error)}. "
            f"Nothing was built. Fix: make {builds.parent} writable (and free "
            "some space), or set OUTPUT_PATH to a folder you can write."
        ) from None
    return staging


def remove_stale_staging(output: Path) -> list[Path]:
    """Staging folders left by crashed builds. Call only while holding the
    output's build lock: then no build is writing any of them."""
    builds = builds_dir(output)
    removed = []
    for link in output.parent.glob(f".{output.name}.swap-*"):
        if link.is_symlink():  # a swap link left by a build killed mid-swap
            link.unlink()
            removed.append(link)
    if not builds.is_dir() or builds.is_symlink():
        return removed
    for folder in sorted(builds.glob("staging-*")):
        try:
            if remove_build(folder):
                removed.append(folder)
        except OSError as error:
            logger.warning("Could not remove %s: %s", folder, os_problem(error))
    for record in sorted(builds.glob("*.json")):
        if _orphan_record(record):  # a build killed between record and rename
            record.unlink(missing_ok=True)
            removed.append(record)
    for temp in sorted(builds.glob(".*.tmp")):  # a record killed mid-write
        if temp.is_file() and not temp.is_symlink():
            temp.unlink(missing_ok=True)
            removed.append(temp)
    return removed


def _orphan_record(path: Path) -> bool:
    """Our marker record (not a manifest) whose build folder does not exist."""
    name = path.name.removesuffix(".json")
    if name.endswith(".manifest") or not BUILD_NAME.match(name):
        return False
    if os.path.lexists(path.with_name(name)) or path.is_symlink():
        return False
    try:
        return MARKER_KEY in json.loads(path.read_text())
    except (OSError, ValueError, TypeError):
        return False


def normalise_modes(site: Path) -> None:
    """Folders 0755, files 0644 whatever the umask: ``rsync -a`` copies modes,
    and a 0700 web root answers 403 to a web server running as another user;
    a 0666 page under ``umask 000`` could be rewritten by any local user."""
    fix_tree(site, DIR_MODE, FILE_MODE)


def keep_unchanged_times(staged: Path, previous: Path | None) -> int:
    """Give every file of ``staged`` whose bytes equal the same file's in the
    ``previous`` build that file's modification time; return how many.

    rsync's quick check (and any sync tool after it) compares size and time: a
    file written again with the same bytes (a page rendered again, a feed, a
    sitemap, a precompressed sibling, the search index) would otherwise be sent
    again on every deploy. Files the writer hard-linked already share the
    previous file. A file whose bytes differ keeps its new time, so a changed
    file is never taken for an unchanged one."""
    if previous is None or not previous.is_dir():
        return 0
    kept = 0
    for root, _dirs, files in os.walk(staged):
        for name in files:
            path = Path(root, name)
            before = previous / path.relative_to(staged)
            try:
                new, old = path.lstat(), before.lstat()
            except OSError:
                continue
            if (
                not stat.S_ISREG(new.st_mode)
                or not stat.S_ISREG(old.st_mode)
                or new.st_size != old.st_size
                or new.st_mtime_ns == old.st_mtime_ns
            ):
                continue
            if (new.st_dev, new.st_ino) != (old.st_dev, old.st_ino) and not (
                filecmp.cmp(path, before, shallow=False)
            ):
                continue
            os.utime(path, ns=(new.st_atime_ns, old.st_mtime_ns), follow_symlinks=False)
            kept += 1
    return kept


# --- The swap ---------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where the system cannot, so the caller can fall back."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _take_over_plain_folder(link: Path, output: Path) -> None:
    """Replace a plain ``output/`` folder by the ``link`` symlink, with no
    moment in which ``output`` is missing; keep the old folder as a build
    (never pruned: newsdigest did not create it)."""
    problem = plain_folder_problem(output)
    if problem:
        raise DigestError(
            f"{output} {problem}; newsdigest will not replace it. Nothing was "
            "published. Fix: move it away, or set OUTPUT_PATH to a new folder."
        )
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    legacy = builds_dir(output) / f"previous-{stamp}-{os.getpid()}"
    if exchange(link, output):
        old = link  # the old folder now sits at the link's name
    else:
        logger.warning("This system cannot swap a folder for a link atomically.")
        output.rename(legacy)
        os.replace(link, output)
        old = legacy
    if old != legacy:
        try:
            old.rmdir()  # only succeeds when it is empty
            return
        except OSError:
            old.rename(legacy)
    logger.warning(
        "Kept the old %s folder as %s (newsdigest never deletes it).", output, legacy
    )


def swap_into_place(staging: Path, output: Path, record: dict[str, Any]) -> Path:
    """Point ``output`` at ``staging`` with one atomic rename of a symlink.

    Any failure (full disk, read-only or forbidden folder) leaves ``output`` as it
    was and is reported as a one-line DigestError naming what failed where."""
    site = staging.with_name(published_name(staging))
    link = output.parent / f".{output.name}.swap-{os.getpid()}"
    try:
        # Marker first: killed at any point, every folder still has a record.
        write_build_record(site, record)
        staging.rename(site)
        record_path(staging).unlink(missing_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(os.path.relpath(site, output.parent), link)
        if output.is_dir() and not output.is_symlink():
            _take_over_plain_folder(link, output)
        else:
            os.replace(link, output)
    except OSError as error:
        for leftover in (link,):
            if leftover.is_symlink():
                leftover.unlink(missing_ok=True)
        for folder in (staging, site):
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            record_path(folder).unlink(missing_ok=True)
        raise DigestError(
            f"Could not publish the build: {os_problem(error)}. The published "
            f"site {output} was left as it was."
        ) from None
    return site


def prune_builds(output: Path, keep: int) -> None:
    """Keep the live site and the ``keep - 1`` newest earlier ones (for a quick
    rollback); drop staging folders that failed builds left behind. Call only
    while holding the build lock. Deletes only folders newsdigest created."""
    builds = builds_dir(output)
    if not builds.is_dir() or builds.is_symlink():
        return
    live = output.resolve() if output.is_symlink() else None
    remove_stale_staging(output)
    ours = [p for p in builds.glob("site-*") if p.resolve() != live and is_ours(p)]
    ours.sort(key=lambda p: p.lstat().st_mtime, reverse=True)
    for old in ours[max(keep - 1, 0) :]:
        try:
            remove_build(old)
        except OSError as error:
            logger.warning("Could not remove %s: %s", old, os_problem(error))


def clean_output(output: Path, content: Path, project: Path) -> list[Path]:
    """Remove the output link (or an old plain build folder) and our builds,
    under the build lock; return what was kept because newsdigest did not
    create it."""
    problem = output_path_problem(output, content, project)
    if problem:
        raise DigestError(f"Refusing to clean {output}: it {problem}.")
    kept: list[Path] = []
    with build_lock(output, timeout=0):
        if output.is_symlink():
            output.unlink()
        elif output.is_dir():
            if plain_folder_problem(output):
                kept.append(output)
            else:
                shutil.rmtree(output)
        indexes = indexes_dir(output)
        if indexes.is_dir() and not indexes.is_symlink():
            shutil.rmtree(indexes)
        builds = builds_dir(output)
        if builds.is_dir() and not builds.is_symlink():
            for entry in sorted(builds.iterdir()):
                if not os.path.lexists(entry):
                    continue  # a record, removed with its folder
                if is_companion(entry):
                    continue  # removed with its folder
                if not remove_build(entry):
                    kept.append(entry)
            if not kept or all(k == output for k in kept):
                builds.rmdir()
    return kept


# --- The page-loss guard ------------------------------------------------------------


def count_pages(site: Path) -> int:
    return sum(1 for _ in site.rglob("*.html")) if site.is_dir() else 0


def page_loss_problem(old: int, new: int, max_loss: float) -> str | None:
    """Why a site that shrank too much must not replace the published one."""
    if old == 0 or new >= old or (old - new) / old <= max_loss:
        return None
    return (
        f"the new build has {new} pages, the published site {old}: it lost "
        f"{(old - new) / old:.0%} of its pages, more than the allowed "
        f"{max_loss:.0%}. Nothing was replaced. If this is intended, build again "
        f"with {FORCE_ENV}=1 (or `invoke publish --force`)."
    )


def lost_pages(old: Path, new: Path, limit: int = 20) -> str:
    """The published pages a new build would drop, by address, for the refusal."""
    if not old.is_dir():
        return ""
    gone = sorted(str(p.relative_to(old)) for p in old.rglob("*.html") if p.is_file())
    gone = [p for p in gone if not (new / p).is_file()]
    shown = "\n  ".join(f"/{p.removesuffix('index.html')}" for p in gone[:limit])
    more = f"\n  ... and {len(gone) - limit} more" if len(gone) > limit else ""
    return f"\nPages that would disappear ({len(gone)}):\n  {shown}{more}"

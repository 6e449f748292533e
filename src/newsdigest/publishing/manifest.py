"""The manifest of a checked build, and the check that a folder still matches it.

A deploy must ship the files that passed the site checks, not whatever sits in
the folder later: an edited page, a file dropped in by hand, a ``staging: False``
build written through the ``output`` symlink. So when a staged build has passed
its checks, its manifest records the path and sha256 of every file, which checks
ran, the settings file and ``SITEURL``. It is written *beside* the build folder
(``site-X.manifest.json`` next to ``site-X/``), so it is never deployed itself.

Before any upload the folder is walked again (symlinks are never followed) and
compared with the manifest; any file added, removed or changed, any symlink or
special file, or a build that skipped a check, stops the deploy.

The manifest and the build sit in the same folder, so whoever can edit one can
edit the other: on its own the manifest catches mistakes, not an attacker with
write access to the builds. For that, set ``NEWSDIGEST_MANIFEST_KEY`` (a CI
secret) when publishing and deploying: the manifest is then signed with
HMAC-SHA256 and a manifest rewritten without the key is refused.

No Pelican import: the publish plugin writes manifests, the deploy tools read them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdigest.filemodes import PRIVATE_FILE, write_atomic
from newsdigest.problems import DigestError
from newsdigest.publishing.hosts import HOSTS
from newsdigest.settings import PUBLISH_DEFAULTS

log = logging.getLogger(__name__)

VERSION = 1
SUFFIX = ".manifest.json"
KEY_ENV = "NEWSDIGEST_MANIFEST_KEY"
ALL_CHECKS: tuple[str, ...] = tuple(PUBLISH_DEFAULTS["checks"])
CHUNK = 1 << 20
SHOWN = 10  # paths listed per kind of difference before "and N more"


@dataclass(frozen=True)
class Manifest:
    """What a checked build contained: ``files`` maps each path to its sha256."""

    files: dict[str, str]
    checks: tuple[str, ...]
    settings_file: str | None
    siteurl: str
    signed: bool = False
    #: The host it was built for (``DIGEST_PUBLISH["host"]``).
    host: str = "generic"


def manifest_path(site_dir: Path) -> Path:
    """``.../site-X.manifest.json`` for ``.../site-X``: beside, never inside."""
    site = Path(os.path.abspath(site_dir))
    return site.with_name(site.name + SUFFIX)


# --- Reading the folder ----------------------------------------------------------


def name_problem(path: str) -> str | None:
    """Why a file name cannot be published safely, or None.

    Control characters (a newline above all) break every line-based tool a deploy
    drives (rsync's change list, git fast-import) and no page can link to them;
    names that are not UTF-8 cannot be written into the manifest or an S3 key; a
    backslash becomes a slash on some servers and CDNs (another file's address).
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8"
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        return "its name contains a control character (a newline, tab, ...)"
    if "\\" in path:
        return "its name contains a backslash, a folder separator to some servers"
    return None


def file_sha256(path: Path) -> str:
    """sha256 of a regular file, opened without following a symlink."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


FileState = tuple[int, int, int, int]


def file_state(info: os.stat_result) -> FileState:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def known_hashes(site_dir: Path | None) -> dict[FileState, str]:
    """The sha256 its manifest recorded for each file of an earlier build, by
    inode, size and mtime: the incremental writer hard-links unchanged files,
    so a new build shares most of its files with the live one. (A file changed
    in place since is caught by the deploy, which hashes every file again.)"""
    if site_dir is None or not manifest_path(site_dir).is_file():
        return {}
    try:
        files = json.loads(manifest_path(site_dir).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    known: dict[FileState, str] = {}
    for rel, digest in files.items():
        try:
            info = os.stat(site_dir / rel, follow_symlinks=False)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(info.st_mode):
            known[file_state(info)] = digest
    return known


def scan_site(
    site_dir: Path, known: dict[FileState, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Path → sha256 of every regular file under ``site_dir``, and what else is there.

    Symlinks (to files or folders, inside or outside the site) are listed as
    problems and never followed: a link to ``/etc`` or ``~/.ssh`` must not be
    read, let alone published. Paths use forward slashes. ``known`` gives the
    hashes of files shared with an earlier build (``known_hashes``).
    """
    known = known or {}
    files: dict[str, str] = {}
    problems: list[str] = []
    pending = [(Path(site_dir), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            problems.append(f"{prefix or '.'}: cannot be read ({error.strerror})")
            continue
        for entry in entries:
            rel = prefix + entry.name
            reason = name_problem(rel)
            if reason:
                problems.append(f"{rel!r}: {reason}; rename it")
                continue
            try:
                info = entry.stat(follow_symlinks=False)
                mode = info.st_mode
            except OSError as error:
                problems.append(f"{rel}: cannot be read ({error.strerror})")
                continue
            if stat.S_ISLNK(mode):
                target = os.readlink(entry.path)
                problems.append(f"{rel}: a symlink (-> {target}); never deployed")
            elif stat.S_ISDIR(mode):
                pending.append((Path(entry.path), rel + "/"))
            elif stat.S_ISREG(mode):
                try:
                    found = known.get(file_state(info)) if known else None
                    files[rel] = found or file_sha256(Path(entry.path))
                except OSError as error:
                    problems.append(f"{rel}: cannot be read ({error.strerror})")
            else:
                problems.append(f"{rel}: not a regular file")
    return dict(sorted(files.items())), problems


# --- Writing ----------------------------------------------------------------------


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _signature(body: dict[str, Any], key: str) -> str:
    return hmac.new(key.encode(), _canonical(body), hashlib.sha256).hexdigest()


def write_manifest(
    site_dir: Path,
    *,
    checks: Iterable[str],
    settings_file: str | None,
    siteurl: str,
    previous: Path | None = None,
    host: str = "generic",
) -> Path:
    """Record ``site_dir`` as it is now; return the manifest's path.

    Called by the publish plugin once the build has passed its checks. Any
    symlink or unsafe name is left out here and refused at deploy time, with the
    reason. Manifests of builds that were pruned since are removed. Files shared
    with the ``previous`` build are not hashed again.
    """
    files, problems = scan_site(site_dir, known_hashes(previous))
    for problem in problems:
        log.warning("manifest: %s", problem)
    body: dict[str, Any] = {
        "version": VERSION,
        "checks": list(checks),
        "settings_file": settings_file,
        "siteurl": siteurl,
        "host": host,
        "files": files,
    }
    key = os.environ.get(KEY_ENV)
    if key:
        body["hmac"] = _signature(body, key)
    path = manifest_path(site_dir)
    try:
        # Private, and atomic and durable: a kill never leaves half a manifest.
        write_atomic(
            path, json.dumps(body, indent=1, sort_keys=True) + "\n", PRIVATE_FILE
        )
        _remove_orphans(path.parent)
    except OSError as error:
        raise DigestError(
            f"Could not write the deploy manifest {path}: {error.strerror}. "
            "Free some space or fix the folder's permissions, then publish again."
        ) from error
    log.info("manifest: %d files recorded in %s", len(files), path)
    return path


def _remove_orphans(folder: Path) -> None:
    for path in folder.glob(f"*{SUFFIX}"):
        if not path.with_name(path.name.removesuffix(SUFFIX)).is_dir():
            path.unlink(missing_ok=True)


# --- Reading and verifying --------------------------------------------------------


def read_manifest(site_dir: Path) -> Manifest:
    """The manifest of ``site_dir``; a clear error when it is missing or damaged."""
    path = manifest_path(site_dir)
    publish = "Run `invoke publish` (a production build with every check)"
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DigestError(
            f"Refusing to deploy {site_dir}: it has no manifest ({path.name} beside "
            f"it), so nothing says it passed the site checks. {publish}, then deploy."
        ) from None
    except (OSError, ValueError) as error:
        raise DigestError(
            f"Refusing to deploy {site_dir}: its manifest {path} cannot be read "
            f"({error}). {publish} again."
        ) from None
    try:
        manifest = _parse(body)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DigestError(
            f"Refusing to deploy {site_dir}: its manifest {path} is damaged "
            f"({error!r}). {publish} again."
        ) from None
    _check_signature(site_dir, path, body)
    return manifest


def _parse(body: dict[str, Any]) -> Manifest:
    if body["version"] != VERSION:
        raise ValueError(f"version {body['version']!r}, expected {VERSION}")
    files = body["files"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise TypeError("files must map paths to sha256 strings")
    checks = tuple(body["checks"])
    settings_file = body["settings_file"]
    if settings_file is not None and not isinstance(settings_file, str):
        raise TypeError("settings_file must be a string")
    host = body.get("host", "generic")  # manifests from before hosts
    if host not in HOSTS:
        raise ValueError(f"unknown host {host!r}")
    return Manifest(
        files=dict(files),
        checks=checks,
        settings_file=settings_file,
        siteurl=str(body["siteurl"]),
        signed="hmac" in body,
        host=host,
    )


def _check_signature(site_dir: Path, path: Path, body: dict[str, Any]) -> None:
    key = os.environ.get(KEY_ENV)
    given = body.pop("hmac", None)
    if key and given is None:
        raise DigestError(
            f"Refusing to deploy {site_dir}: {KEY_ENV} is set but the manifest "
            f"{path} is not signed, so it may have been rewritten. Publish again "
            f"with {KEY_ENV} set."
        )
    if given is not None and not key:
        raise DigestError(
            f"Refusing to deploy {site_dir}: its manifest is signed, but {KEY_ENV} "
            "is not set, so the signature cannot be checked. Set it to the key the "
            "build was published with."
        )
    if key and not hmac.compare_digest(str(given), _signature(body, key)):
        raise DigestError(
            f"Refusing to deploy {site_dir}: the signature of its manifest {path} "
            f"does not match (edited after publishing, or another {KEY_ENV}). "
            "Publish again."
        )


def _listing(label: str, paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:SHOWN])
    more = f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else ""
    return f"\n  {label} ({len(paths)}): {shown}{more}"


def verify_site(
    site_dir: Path,
    *,
    siteurl: str | None = None,
    settings_file: str | os.PathLike[str] | None = None,
) -> Manifest:
    """The manifest of ``site_dir`` once the folder is proven to match it.

    Raises ``DigestError`` naming every difference when the build skipped a
    check, was made with other settings, or its files changed since.
    """
    if not site_dir.is_dir():
        raise DigestError(
            f"Refusing to deploy {site_dir}: it does not exist or is not a folder. "
            "Run `invoke publish` first."
        )
    manifest = read_manifest(site_dir)
    missing = [check for check in ALL_CHECKS if check not in manifest.checks]
    if missing:
        ran = ", ".join(manifest.checks) or "none"
        raise DigestError(
            f"Refusing to deploy {site_dir}: it was built with only these site "
            f"checks: {ran} (not {', '.join(missing)}). A deployed build must pass "
            f"all of {', '.join(ALL_CHECKS)}. Remove DIGEST_PUBLISH['checks'] from "
            "the settings (or list every check), run `invoke publish`, then deploy."
        )
    if settings_file is not None:
        wanted = str(Path(settings_file).resolve())
        if manifest.settings_file != wanted:
            raise DigestError(
                f"Refusing to deploy {site_dir}: it was built with settings "
                f"{manifest.settings_file or 'that are not recorded'}, not {wanted}. "
                f"Build it with `pelican content -s {Path(wanted).name}` (`invoke "
                "publish`), then deploy."
            )
    if siteurl is not None and manifest.siteurl != siteurl:
        raise DigestError(
            f"Refusing to deploy {site_dir}: it was built for SITEURL "
            f"{manifest.siteurl!r}, the deploy settings say {siteurl!r}. Run "
            "`invoke publish`, then deploy."
        )
    files, problems = scan_site(site_dir)
    added = sorted(files.keys() - manifest.files.keys())
    removed = sorted(manifest.files.keys() - files.keys())
    changed = sorted(
        path
        for path in files.keys() & manifest.files.keys()
        if files[path] != manifest.files[path]
    )
    if problems or added or removed or changed:
        details = "".join(
            _listing(label, paths)
            for label, paths in (
                ("changed", changed),
                ("added", added),
                ("removed", removed),
                ("not deployable", problems),
            )
            if paths
        )
        raise DigestError(
            f"Refusing to deploy {site_dir}: it no longer matches the manifest "
            f"written when it passed its checks:{details}\n"
            "Fix: never edit a published build; change the content and run "
            "`invoke publish` again, then deploy."
        )
    return manifest


@contextlib.contextmanager
def verified_copy(site_dir: Path, files: dict[str, str]) -> Iterator[Path]:
    """A private copy of exactly the manifest's files, for tools that read a folder.

    rsync and ghp-import read the build folder themselves, after the check: a file
    changed or added in between would ship unchecked. They read this copy
    instead, written from bytes whose sha256 was checked as they were read, with
    the original modes and times (so rsync's quick check still sees unchanged
    files as unchanged). Removed when the deploy ends.
    """
    with tempfile.TemporaryDirectory(prefix="newsdigest-deploy-") as tmp:
        copy = Path(tmp) / "site"
        copy.mkdir()
        folders = {Path(".")}
        for path, sha256 in files.items():
            source, target = site_dir / path, copy / path
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.update(Path(path).parents)
            _copy_checked(source, target, path, sha256)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            info = (site_dir / folder).stat()
            os.chmod(copy / folder, stat.S_IMODE(info.st_mode))
            os.utime(copy / folder, ns=(info.st_atime_ns, info.st_mtime_ns))
        yield copy


def _copy_checked(source: Path, target: Path, path: str, sha256: str) -> None:
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read()
            info = os.fstat(handle.fileno())
    except OSError as error:
        raise DigestError(
            f"Cannot read {path} for the deploy ({error.strerror}): the build "
            "changed while deploying. Run `invoke publish` and deploy again."
        ) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DigestError(
            f"Refusing to deploy {path}: it changed after the build was verified. "
            "Run `invoke publish` and deploy again."
        )
    target.write_bytes(data)
    os.chmod(target, stat.S_IMODE(info.st_mode))
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))

"""Deploy the site folder to a local or SSH destination with rsync.

rsync with ``--delete`` mirrors the source exactly, so a wrong destination (``/``,
a system folder, a home directory or its ``.ssh``, the project folder that
contains the site) would be wiped. Destinations are normalised (``host:/srv/..``
is the root, ``host:.`` the home) and such ones refused before rsync ever runs.
The itemized output (``--itemize-changes``) is parsed so that real and dry runs
report the same counts.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

from newsdigest.deploy.result import DeployResult, Site
from newsdigest.problems import DigestError
from newsdigest.publishing.manifest import verified_copy

log = logging.getLogger(__name__)

# Folders that belong to the system as a whole tree: nothing under them is a web root.
SYSTEM_TREES = frozenset(
    {"bin", "boot", "dev", "etc", "proc", "run", "sbin", "sys", "usr"}
)
# /var/<these> hold the system's state; /var/www/<site> is a normal web root.
VAR_TREES = frozenset(
    {"lib", "log", "cache", "spool", "backups", "mail", "run", "lock", "tmp"}
)
# Older rsync (before 3.2.4) hands the remote path to the remote shell unquoted.
SHELL_SPECIALS = ";|&<>()'\"\\*?[]{}!#"
EXIT_CODES = {
    1: "syntax or usage error (check the target's 'options')",
    2: "protocol incompatibility",
    3: "errors selecting input/output files or folders (does the destination's "
    "parent folder exist?)",
    4: "requested action not supported",
    5: "error starting the client-server protocol",
    10: "error in socket I/O",
    11: "error in file I/O (disk full or permission denied at the destination?)",
    12: "error in the rsync protocol data stream (is rsync installed on the host?)",
    13: "errors with program diagnostics",
    14: "error in IPC code",
    20: "interrupted (SIGINT or SIGUSR1)",
    21: "some error returned by waitpid()",
    22: "error allocating memory",
    23: "partial transfer due to an error",
    24: "partial transfer: some source files vanished",
    25: "the --max-delete limit stopped deletions",
    30: "timeout in data send/receive",
    35: "timeout waiting for the daemon connection",
    255: "the remote shell (ssh) failed: unknown host, refused key or no route",
}


def split_remote(destination: str) -> tuple[str, str] | None:
    """``(host, path)`` for rsync's ``host:path`` or ``host::module`` syntax.

    Like rsync itself, a colon only makes a destination remote when no slash
    comes before it (``./a:b`` is a local folder); ``[::1]:path`` is an IPv6 host.
    """
    if destination.startswith("["):
        bracket = destination.find("]:")
        if bracket > 0:
            return destination[: bracket + 1], destination[bracket + 2 :]
    head, colon, tail = destination.partition(":")
    if not colon or not head or "/" in head:
        return None
    return head, tail


def unsafe_destination_reason(
    destination: str,
    site_dir: Path | None = None,
    protected: tuple[Path, ...] = (),
) -> str | None:
    """Why ``destination`` must not be mirrored to, or None when it is fine.

    Paths are normalised first (``/srv/..`` is ``/``, ``~/.`` is the home, a local
    path is resolved through symlinks), then refused when they are a system
    folder, a home directory or its dotfiles, or contain (or are inside) the
    site, the project or its content. Remote symlinks cannot be seen from here.
    """
    if not destination.strip():
        return "the destination is empty"
    if destination.lstrip().startswith("-"):
        return f"{destination!r} starts with '-', rsync would read it as an option"
    if any(char in destination for char in "$`"):
        return (
            f"{destination!r} contains '$' or '`': nothing expands variables here, "
            "write the path itself"
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in destination):
        return f"{destination!r} contains a control character"
    if destination.startswith("rsync://"):
        host, _, module = destination.removeprefix("rsync://").partition("/")
        return _unsafe_module_reason(host, module)
    remote = split_remote(destination)
    if remote is not None:
        host, path = remote
        if any(char in path for char in SHELL_SPECIALS):
            return (
                f"{destination!r} has a character the remote shell would interpret "
                f"(one of {SHELL_SPECIALS}); older rsync versions pass the path "
                "through it"
            )
        if path.startswith(":"):
            return _unsafe_module_reason(host, path[1:])
        return _unsafe_remote_reason(host, path)
    return _unsafe_local_reason(destination, site_dir, protected)


def _unsafe_module_reason(host: str, module_path: str) -> str | None:
    """An rsync daemon module's root is a configured web root; climbing out is not."""
    path = posixpath.normpath(module_path.strip("/") or ".")
    if path == ".":
        return f"{host}: names no rsync daemon module"
    if path == ".." or path.startswith("../"):
        return f"{host}: {module_path!r} climbs out of the rsync daemon module"
    return None


def _unsafe_remote_reason(host: str, path: str) -> str | None:
    where = f"'{host}:{path}'"
    if path.startswith("/"):
        reason = system_folder_reason(_normalise_absolute(path))
        return f"{where} is {reason}" if reason else None
    if path.startswith("~"):
        user, _, rest = path[1:].partition("/")
        home = f"~{user}"
    else:
        home, rest = "~", path
    relative = posixpath.normpath(rest.lstrip("/") or ".")  # "~//" is "~"
    return _home_relative_reason(where, home, relative)


def _home_relative_reason(where: str, home: str, relative: str) -> str | None:
    """``relative`` is normalised and relative to a home directory."""
    if relative == ".":
        return f"{where} is the remote home directory {home}"
    if relative == ".." or relative.startswith("../"):
        return f"{where} climbs out of the remote home directory {home}"
    if relative.startswith("."):
        return f"{where} is a dotfile or dot folder of the home directory {home}"
    return None


def _normalise_absolute(path: str) -> PurePosixPath:
    """``/srv/..`` → ``/``; POSIX keeps a leading ``//``, rsync does not."""
    return PurePosixPath("/" + posixpath.normpath(path).lstrip("/"))


def system_folder_reason(path: PurePosixPath) -> str | None:
    """Why an absolute, normalised path is a system folder, or None."""
    parts = path.parts[1:]
    if not parts:
        return "the root directory"
    top = parts[0]
    if top in SYSTEM_TREES or top.startswith("lib"):
        inside = "inside " if len(parts) > 1 else ""
        return f"{inside}the system folder /{top}"
    if len(parts) == 1:
        return f"the top-level folder /{top}; use a folder inside it, e.g. /srv/digest"
    if top == "var" and (len(parts) == 2 or parts[1] in VAR_TREES):
        return f"the system folder /var/{parts[1]}"
    if top in ("home", "root") or (top == "Users" and len(parts) >= 2):
        home = 1 if top == "root" else 2
        if len(parts) == home:
            return f"the home directory {path}"
        if len(parts) > home and parts[home].startswith("."):
            owner = "/" + "/".join(parts[:home])
            return f"a dotfile or dot folder of the home directory {owner}"
    return None


def _unsafe_local_reason(
    destination: str, site_dir: Path | None, protected: tuple[Path, ...]
) -> str | None:
    shown = f"{destination!r}"
    try:
        target = Path(os.path.expanduser(destination)).resolve()
    except (OSError, RuntimeError) as error:
        return f"{shown} cannot be resolved ({error})"
    home = Path.home().resolve()
    if target == home:
        return f"{shown} is your home directory"
    inside_home = target.relative_to(home).parts if target.is_relative_to(home) else ()
    if inside_home and inside_home[0].startswith("."):
        return f"{shown} is in a dotfile or dot folder of your home directory"
    reason = system_folder_reason(PurePosixPath(target.as_posix()))
    if reason:
        return f"{shown} is {reason}"
    if site_dir is not None:
        site = site_dir.resolve()
        if target == site:
            return f"{shown} is the site folder itself"
        if target.is_relative_to(site):
            return f"{shown} is inside the site folder {site}"
        if site.is_relative_to(target):
            return f"{shown} contains the site folder {site}"
    for folder in protected:
        kept = folder.resolve()
        if kept.is_relative_to(target):
            return f"{shown} is or contains the project's folder {kept}"
        if target.is_relative_to(kept):
            return f"{shown} is inside the project's folder {kept}"
    return None


def build_command(
    site_dir: Path, options: dict[str, Any], *, dry_run: bool
) -> list[str]:
    """rsync's command line; symlinks and special files are never sent.

    rsync reads a private copy of the verified files (see ``verified_copy``), so
    there are none; ``--no-links`` and friends say so to rsync as well.
    ``--delay-updates`` and ``--delete-delay`` keep the served site whole.
    ``--`` ends the options, so no path is ever read as one.
    """
    command = ["rsync", "-a", "--no-links", "--no-devices", "--no-specials"]
    # Every changed file is put in place at the end, and old files deleted only
    # after that, so a deploy killed (or failing) mid-way leaves the served site
    # as it was instead of half old, half new; running it again finishes it.
    # Compared by content, not size and time: a file with the same bytes is
    # never sent again (only its time is set), and the report counts files
    # whose content changed, whatever times the destination holds.
    command += ["--checksum", "--itemize-changes", "--8-bit-output", "--delay-updates"]
    command += options["options"]
    if options["delete"]:
        command.append("--delete-delay")
    if dry_run:
        command.append("--dry-run")
    return [*command, "--", f"{site_dir}/", options["destination"]]


def deploy(
    site: Site, name: str, options: dict[str, Any], *, dry_run: bool = False
) -> DeployResult:
    destination = options["destination"]
    reason = unsafe_destination_reason(destination, site.folder, site.protected)
    if reason:
        raise DigestError(
            f"Refusing to rsync target {name!r} to {destination!r}: {reason}. "
            "Set DIGEST_DEPLOY targets destination to a folder used only for the site."
        )
    with verified_copy(site.folder, site.files) as source:
        command = build_command(source, options, dry_run=dry_run)
        log.info("rsync: %s", " ".join(command))
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise DigestError(
                f"Cannot deploy target {name!r}: rsync is not installed or not on "
                "PATH. Install it (e.g. `apt-get install rsync`) and deploy again."
            ) from None
    if completed.returncode != 0:
        raise DigestError(failure_message(name, destination, completed))
    return parse_itemized(completed.stdout, sorted(site.files), name, dry_run)


def failure_message(
    name: str, destination: str, completed: subprocess.CompletedProcess[str]
) -> str:
    """What rsync's exit status means, in words, with its last error lines."""
    code = completed.returncode
    if code < 0:
        meaning = f"killed by signal {-code}"
    else:
        meaning = EXIT_CODES.get(code, "see `man rsync`, EXIT VALUES")
    detail = " ".join(completed.stderr.strip().splitlines()[-3:])
    return (
        f"rsync to {destination!r} (target {name!r}) failed with exit code {code}: "
        f"{meaning}." + (f" rsync said: {detail}" if detail else "") + " Nothing "
        "else was changed by newsdigest; fix the cause and deploy again."
    )


def _unescape(path: str) -> str:
    r"""Undo ``--8-bit-output``'s ``\#ooo`` escapes of unprintable bytes."""
    if "\\#" not in path:
        return path
    raw = re.sub(
        rb"\\#([0-7]{3})",
        lambda m: bytes([int(m.group(1), 8)]),
        path.encode("utf-8", "surrogateescape"),
    )
    return raw.decode("utf-8", "replace")


def parse_itemized(
    output: str, files: list[str], name: str, dry_run: bool
) -> DeployResult:
    """Count rsync ``--itemize-changes`` lines (``YXcstpoguax path``).

    Only files are counted; directories and attribute-only changes (``.f..t``:
    the same bytes, only the time set) are not transfers. Files rsync does not
    mention were already up to date.
    """
    result = DeployResult(target=name, kind="rsync", dry_run=dry_run)
    for line in output.splitlines():
        code, path = line[:11], _unescape(line[12:])
        if len(code) < 11 or not path:
            continue
        if code.startswith("*deleting"):
            if not path.endswith("/"):
                result.deleted.append(path)
        elif code[0] in "<>" and code[1] == "f":
            transfer = result.uploaded if code[2] == "+" else result.updated
            transfer.append(path)
    sent = {*result.uploaded, *result.updated}
    result.unchanged = [path for path in files if path not in sent]
    return result

"""Deploy the site folder to a local or SSH destination with rsync.

rsync with ``--delete`` mirrors the source exactly, so a wrong destination (``/``,
a home directory, the project folder that contains the site) would be wiped.
Those destinations are refused before rsync ever runs. The itemized output
(``--itemize-changes``) is parsed so that real and dry runs report the same counts.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

from newsdigest.deploy.result import DeployResult
from newsdigest.problems import DigestError

log = logging.getLogger(__name__)

HOME_PATHS = frozenset({"", "~", "~/", ".", "./"})


def split_remote(destination: str) -> tuple[str, str] | None:
    """``(host, path)`` for rsync's ``host:path`` or ``host::module`` syntax.

    Like rsync itself, a colon only makes a destination remote when no slash
    comes before it (``./a:b`` is a local folder).
    """
    head, colon, tail = destination.partition(":")
    if not colon or not head or "/" in head:
        return None
    return head, tail.removeprefix(":")


def unsafe_destination_reason(
    destination: str, site_dir: Path | None = None
) -> str | None:
    """Why ``destination`` must not be mirrored to, or None when it is fine."""
    if not destination.strip():
        return "the destination is empty"
    remote = split_remote(destination)
    if remote is not None:
        return _unsafe_remote_reason(*remote)
    return _unsafe_local_reason(destination, site_dir)


def _unsafe_remote_reason(host: str, path: str) -> str | None:
    if path.strip() in HOME_PATHS:
        return f"'{host}:{path}' is the remote home directory"
    if not path.strip("/"):
        return f"'{host}:{path}' is the remote root directory"
    return None


def _unsafe_local_reason(destination: str, site_dir: Path | None) -> str | None:
    if destination.strip() in ("~", "~/"):
        return "'~' is your home directory"
    target = Path(os.path.expanduser(destination)).resolve()
    if target == Path(target.anchor):
        return f"'{destination}' is the root directory"
    if target == Path.home().resolve():
        return f"'{destination}' is your home directory"
    if site_dir is None:
        return None
    site = site_dir.resolve()
    if target == site:
        return f"'{destination}' is the site folder itself"
    if site.is_relative_to(target):
        return f"'{destination}' contains the site folder {site}"
    if target.is_relative_to(site):
        return f"'{destination}' is inside the site folder {site}"
    return None


def build_command(
    site_dir: Path, options: dict[str, Any], *, dry_run: bool
) -> list[str]:
    command = ["rsync", "-a", "--itemize-changes", *options["options"]]
    if options["delete"]:
        command.append("--delete")
    if dry_run:
        command.append("--dry-run")
    return [*command, f"{site_dir}/", options["destination"]]


def deploy(
    site_dir: Path, name: str, options: dict[str, Any], *, dry_run: bool = False
) -> DeployResult:
    destination = options["destination"]
    reason = unsafe_destination_reason(destination, site_dir)
    if reason:
        raise DigestError(
            f"Refusing to rsync target {name!r} to {destination!r}: {reason}. "
            "Set DIGEST_DEPLOY targets destination to a folder used only for the site."
        )
    command = build_command(site_dir, options, dry_run=dry_run)
    log.info("rsync: %s", " ".join(command))
    try:
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise DigestError("rsync is not installed or not on PATH.") from error
    if completed.returncode != 0:
        raise DigestError(
            f"rsync to {destination!r} failed (exit {completed.returncode}): "
            f"{completed.stderr.strip()}"
        )
    return parse_itemized(completed.stdout, local_files(site_dir), name, dry_run)


def local_files(site_dir: Path) -> list[str]:
    return sorted(
        p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()
    )


def parse_itemized(
    output: str, files: list[str], name: str, dry_run: bool
) -> DeployResult:
    """Count rsync ``--itemize-changes`` lines (``YXcstpoguax path``).

    Only files are counted; directories and attribute-only changes are not
    transfers. Files rsync does not mention were already up to date.
    """
    result = DeployResult(target=name, kind="rsync", dry_run=dry_run)
    for line in output.splitlines():
        code, path = line[:11], line[12:]
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

"""Publish the site folder to a GitHub Pages branch with ghp-import.

ghp-import writes the folder as one commit on the pages branch with
``git fast-import``, without touching the working tree or the checked-out branch,
which is what a curator's project repository needs. The branch's current tree is
compared with the site first, so the result counts new, changed and deleted files,
a dry run can say what would be committed, and an unchanged site makes no commit.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import subprocess
from pathlib import Path
from typing import Any

import ghp_import

from newsdigest.deploy.result import DeployResult
from newsdigest.problems import DigestError

log = logging.getLogger(__name__)


def deploy(
    site_dir: Path, name: str, options: dict[str, Any], *, dry_run: bool = False
) -> DeployResult:
    repo = Path(options["repo"]).expanduser().resolve()
    _check_repo(repo)
    parent = _parent_ref(repo, options["remote"], options["branch"])
    current = _tree_blobs(repo, parent) if parent else {}
    result = compare(planned_blobs(site_dir, options), current, name, dry_run)
    if dry_run:
        log.info("github-pages: dry run, %s", result.summary())
    elif not result.changed:
        log.info("github-pages: %s already has this site, no commit", options["branch"])
    else:
        _commit_and_push(repo, site_dir.resolve(), options)
    return result


def git_blob_sha(data: bytes) -> str:
    """The object id git gives a file with this content."""
    return hashlib.sha1(
        b"blob %d\0" % len(data) + data, usedforsecurity=False
    ).hexdigest()


def planned_blobs(site_dir: Path, options: dict[str, Any]) -> dict[str, str]:
    """Path → blob id of the tree ghp-import will commit."""
    blobs = {
        path.relative_to(site_dir).as_posix(): git_blob_sha(path.read_bytes())
        for path in site_dir.rglob("*")
        if path.is_file()
    }
    if options["nojekyll"]:
        blobs[".nojekyll"] = git_blob_sha(b"")
    if options["cname"]:
        blobs["CNAME"] = git_blob_sha(options["cname"].encode())
    return blobs


def compare(
    planned: dict[str, str], current: dict[str, str], name: str, dry_run: bool
) -> DeployResult:
    result = DeployResult(target=name, kind="github-pages", dry_run=dry_run)
    for path in sorted(planned):
        if path not in current:
            result.uploaded.append(path)
        elif current[path] != planned[path]:
            result.updated.append(path)
        else:
            result.unchanged.append(path)
    result.deleted = sorted(set(current) - set(planned))
    return result


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def _check_repo(repo: Path) -> None:
    if _git(repo, "rev-parse", "--git-dir").returncode != 0:
        raise DigestError(
            f"{repo} is not a git repository. Set the target's 'repo' to the "
            "project's git checkout, or run `git init` there."
        )


def _parent_ref(repo: Path, remote: str, branch: str) -> str | None:
    """The commit ghp-import builds on: the remote branch if known, else the local."""
    for ref in (f"refs/remotes/{remote}/{branch}", f"refs/heads/{branch}"):
        if _git(repo, "rev-parse", "--verify", "--quiet", ref).returncode == 0:
            return ref
    return None


def _tree_blobs(repo: Path, ref: str) -> dict[str, str]:
    listing = _git(repo, "ls-tree", "-r", "-z", ref)
    blobs = {}
    for entry in filter(None, listing.stdout.split("\0")):
        meta, path = entry.split("\t", 1)
        _mode, kind, sha = meta.split()
        if kind == "blob":
            blobs[path] = sha
    return blobs


def _commit_and_push(repo: Path, site_dir: Path, options: dict[str, Any]) -> None:
    branch = options["branch"]
    before = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    try:
        with contextlib.chdir(repo):  # ghp-import always works in the current folder
            ghp_import.ghp_import(
                str(site_dir),
                mesg=options["message"],
                branch=branch,
                remote=options["remote"],
                push=options["push"],
                nojekyll=options["nojekyll"],
                cname=options["cname"] or None,
            )
    except (ghp_import.GhpError, subprocess.CalledProcessError, OSError) as error:
        raise DigestError(_failure_message(branch, options, error)) from error
    after = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    if after.returncode != 0 or after.stdout == before.stdout:
        raise DigestError(f"ghp-import made no commit on branch {branch!r} in {repo}.")
    log.info("github-pages: committed %s to %s", after.stdout.strip()[:12], branch)


def _failure_message(branch: str, options: dict[str, Any], error: Exception) -> str:
    message = f"Publishing to branch {branch!r} failed: {error}."
    if isinstance(error, subprocess.CalledProcessError) and options["push"]:
        message += (
            f" The commit is on the local {branch!r} branch; check that remote "
            f"{options['remote']!r} exists and accepts pushes, then deploy again."
        )
    return message

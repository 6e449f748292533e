"""Publish the site folder to a GitHub Pages branch with ghp-import.

ghp-import writes the folder as one commit on the pages branch with
``git fast-import``, without touching the working tree or the checked-out branch,
which is what a curator's project repository needs. The branch's current tree is
compared with the site first, so the result counts new, changed and deleted files,
a dry run can say what would be committed, and an unchanged site makes no commit.

ghp-import replaces the branch's whole tree, so it must only ever write onto a
branch that holds a previous deploy: every deploy commit carries a
``Newsdigest-Deploy:`` trailer, and a branch that exists without it at its tip
(``main`` with the sources, someone else's branch) is refused, as is the branch
the project has checked out.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import subprocess
from pathlib import Path
from typing import Any

import ghp_import

from newsdigest.deploy.result import DeployResult, Site
from newsdigest.problems import DigestError
from newsdigest.publishing.manifest import verified_copy

log = logging.getLogger(__name__)

TRAILER = "Newsdigest-Deploy"


def deploy(
    site: Site, name: str, options: dict[str, Any], *, dry_run: bool = False
) -> DeployResult:
    repo = Path(options["repo"]).expanduser().resolve()
    _check_repo(repo)
    _check_branch(repo, name, options)
    _check_names(site, name)
    parent = _parent_ref(repo, options["remote"], options["branch"])
    current = _tree_blobs(repo, parent) if parent else {}
    # ghp-import reads a folder itself: give it a copy of exactly the verified files.
    with verified_copy(site.folder, site.files) as source:
        copy = Site(folder=source, files=site.files)
        result = compare(planned_blobs(copy, options), current, name, dry_run)
        if dry_run:
            log.info("github-pages: dry run, %s", result.summary())
        elif not result.changed:
            log.info("github-pages: %s already has this site", options["branch"])
        else:
            _commit_and_push(repo, source, name, options)
    return result


def deploy_message(message: str, name: str) -> str:
    """The commit message with the trailer that marks a newsdigest deploy."""
    return f"{message.rstrip()}\n\n{TRAILER}: {name}"


def _check_branch(repo: Path, name: str, options: dict[str, Any]) -> None:
    """Refuse a branch that holds anything but earlier deploys of a site."""
    branch, remote = options["branch"], options["remote"]
    fix = (
        "Set the target's 'branch' to a branch used only for the built site "
        "(the default is 'gh-pages')."
    )
    checked = _git(repo, "check-ref-format", "--branch", branch)
    # git accepts "@" as a name, but `git push origin @` pushes the checked-out
    # branch; "refs/..." names another ref.
    if (
        checked.returncode != 0
        or checked.stdout.strip() != branch
        or branch in ("@", "HEAD")
        or branch.startswith(("refs/", "-"))
    ):
        raise DigestError(
            f"Refusing to deploy target {name!r}: {branch!r} is not a valid branch "
            f"name. {fix}"
        )
    if remote.startswith("-"):
        raise DigestError(
            f"Refusing to deploy target {name!r}: remote {remote!r} starts with '-', "
            "git would read it as an option. Set 'remote' to a remote's name."
        )
    current = _git(repo, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if branch == current:
        raise DigestError(
            f"Refusing to deploy target {name!r} onto branch {branch!r}: it is the "
            f"branch checked out in {repo}, and the deploy would replace its files "
            f"with the built site. {fix}"
        )
    for ref in (f"refs/heads/{branch}", f"refs/remotes/{remote}/{branch}"):
        if _git(repo, "rev-parse", "--verify", "--quiet", ref).returncode != 0:
            continue
        trailers = _git(
            repo, "log", "-1", f"--format=%(trailers:key={TRAILER},valueonly)", ref
        )
        if trailers.returncode != 0 or not trailers.stdout.strip():
            raise DigestError(
                f"Refusing to deploy target {name!r} onto branch {branch!r}: its "
                f"tip ({ref}) is not a newsdigest deploy (no '{TRAILER}:' trailer), "
                "so it may hold sources or someone else's work that the deploy "
                f"would replace. {fix} If that branch only holds an old site, delete "
                f"it (`git branch -D {branch}`, and on {remote!r}) and deploy again."
            )


def _check_names(site: Site, name: str) -> None:
    """git fast-import reads a path starting with a double quote as C-quoted."""
    quoted = [path for path in site.files if path.startswith('"')]
    if quoted:
        raise DigestError(
            f"Refusing to deploy target {name!r}: {', '.join(quoted)} starts with a "
            "double quote, which git fast-import (ghp-import) would misread. "
            "Rename the file."
        )


def git_blob_sha(data: bytes) -> str:
    """The object id git gives a file with this content."""
    return hashlib.sha1(
        b"blob %d\0" % len(data) + data, usedforsecurity=False
    ).hexdigest()


def planned_blobs(site: Site, options: dict[str, Any]) -> dict[str, str]:
    """Path → blob id of the tree ghp-import will commit."""
    blobs = {
        path: git_blob_sha((site.folder / path).read_bytes()) for path in site.files
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
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise DigestError(
            "git is not installed or not on PATH; github-pages targets need it. "
            "Install git (e.g. `apt-get install git`) and deploy again."
        ) from None


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


def _commit_and_push(
    repo: Path, site_dir: Path, name: str, options: dict[str, Any]
) -> None:
    branch = options["branch"]
    before = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    failure: Exception | None = None
    try:
        # ghp-import works in the current folder and reports a failed fast-import
        # by writing bytes to stdout (a TypeError on a text stream): catch them
        # in a byte stream, which typeshed's TextIO-only signature does not allow.
        sink = io.BytesIO()
        with contextlib.chdir(repo), contextlib.redirect_stdout(sink):  # type: ignore[type-var]
            ghp_import.ghp_import(
                str(site_dir),
                mesg=deploy_message(options["message"], name),
                branch=branch,
                remote=options["remote"],
                push=options["push"],
                nojekyll=options["nojekyll"],
                cname=options["cname"] or None,
            )
    except (ghp_import.GhpError, subprocess.CalledProcessError, OSError) as error:
        failure = error
    after = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    if after.returncode != 0 or after.stdout == before.stdout:
        raise DigestError(
            f"ghp-import made no commit on branch {branch!r} in {repo} (git "
            "fast-import failed: a lock file left in .git, a full disk or a "
            "read-only repository?). Nothing was pushed. Run `git status` there, "
            "fix it and deploy again."
        )
    if failure is not None:
        raise DigestError(_failure_message(branch, options, failure))
    log.info("github-pages: committed %s to %s", after.stdout.strip()[:12], branch)


def _failure_message(branch: str, options: dict[str, Any], error: Exception) -> str:
    message = f"Publishing to branch {branch!r} failed: {error}".rstrip(".") + "."
    if isinstance(error, subprocess.CalledProcessError) and options["push"]:
        message += (
            f" The commit is on the local {branch!r} branch; check that remote "
            f"{options['remote']!r} exists and accepts pushes, then deploy again."
        )
    return message

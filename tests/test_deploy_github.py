"""github-pages target: ghp-import commits the site to a branch and pushes it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from newsdigest.deploy import deploy
from newsdigest.problems import DigestError
from tests.helpers import SITE, make_site, republish


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project repo with one commit on main and a local bare repo as origin."""
    for var in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{var}_NAME", "Digest Bot")
        monkeypatch.setenv(f"GIT_{var}_EMAIL", "bot@example.org")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    origin = tmp_path / "origin.git"
    repo = tmp_path / "project"
    git(tmp_path, "init", "--quiet", "--bare", str(origin))
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(repo))
    (repo / "README.md").write_text("digest\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "--quiet", "-m", "start")
    git(repo, "remote", "add", "origin", str(origin))
    return repo


def settings_for(repo: Path, **target) -> dict:
    pages = {"kind": "github-pages", "repo": str(repo), **target}
    return {"DIGEST_DEPLOY": {"targets": {"pages": pages}}}


def branch_files(repo: Path, ref: str = "gh-pages") -> list[str]:
    return sorted(git(repo, "ls-tree", "-r", "--name-only", ref).splitlines())


def test_deploy_pushes_exactly_the_site_files(project, tmp_path):
    site = make_site(tmp_path / "output")

    result = deploy(site, settings_for(project), "pages")

    assert branch_files(tmp_path / "origin.git") == sorted([*SITE, ".nojekyll"])
    assert (
        git(tmp_path / "origin.git", "show", "gh-pages:index.html")
        == SITE["index.html"]
    )
    assert git(project, "log", "-1", "--format=%s", "gh-pages") == "Publish digest\n"
    assert sorted(result.uploaded) == sorted([*SITE, ".nojekyll"])
    assert git(project, "branch", "--show-current") == "main\n"  # checkout untouched


def test_redeploy_reports_changes_and_deletions(project, tmp_path):
    site = make_site(tmp_path / "output")
    deploy(site, settings_for(project), "pages")
    (site / "archives.html").unlink()
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    republish(site)

    result = deploy(site, settings_for(project), "pages")

    assert result.deleted == ["archives.html"]
    assert result.updated == ["robots.txt"]
    assert "archives.html" not in branch_files(tmp_path / "origin.git")


def test_unchanged_site_makes_no_commit(project, tmp_path):
    site = make_site(tmp_path / "output")
    deploy(site, settings_for(project), "pages")
    head = git(project, "rev-parse", "gh-pages")

    result = deploy(site, settings_for(project), "pages")

    assert git(project, "rev-parse", "gh-pages") == head
    assert not result.changed
    assert len(result.unchanged) == len(SITE) + 1


def test_dry_run_reports_and_changes_nothing(project, tmp_path):
    site = make_site(tmp_path / "output")

    result = deploy(site, settings_for(project), "pages", dry_run=True)

    assert result.dry_run
    assert len(result.uploaded) == len(SITE) + 1
    assert git(project, "branch", "--list", "gh-pages") == ""
    assert git(tmp_path / "origin.git", "branch", "--list") == ""


def test_a_dry_run_lists_each_file_it_would_commit_and_remove(project, tmp_path):
    site = make_site(tmp_path / "output")
    deploy(site, settings_for(project), "pages")
    (site / "robots.txt").write_text("changed\n")
    (site / "archives.html").unlink()
    (site / "new.html").write_text("<p>new</p>")
    republish(site)

    result = deploy(site, settings_for(project), "pages", dry_run=True)

    assert result.summary().splitlines()[1:] == [
        "  would upload: new.html",
        "  would update: robots.txt",
        "  would delete: archives.html",
    ]


def test_cname_without_push_commits_locally(project, tmp_path):
    site = make_site(tmp_path / "output")
    settings = settings_for(
        project, push=False, nojekyll=False, cname="news.example.org"
    )

    deploy(site, settings, "pages")

    assert git(project, "show", "gh-pages:CNAME") == "news.example.org"
    assert ".nojekyll" not in branch_files(project)
    assert git(tmp_path / "origin.git", "branch", "--list") == ""


def test_not_a_git_repo_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    site = make_site(tmp_path / "output")
    (tmp_path / "plain").mkdir()

    with pytest.raises(DigestError, match="not a git repository"):
        deploy(site, settings_for(tmp_path / "plain"), "pages")


def test_failed_push_says_the_commit_is_local(project, tmp_path):
    site = make_site(tmp_path / "output")
    git(project, "remote", "set-url", "origin", str(tmp_path / "missing.git"))

    with pytest.raises(DigestError, match="commit is on the local 'gh-pages' branch"):
        deploy(site, settings_for(project), "pages")


def test_deploy_commits_carry_the_deploy_trailer(project, tmp_path):
    site = make_site(tmp_path / "output")

    deploy(site, settings_for(project), "pages")

    body = git(project, "log", "-1", "--format=%B", "gh-pages")
    assert body.startswith("Publish digest\n\n")
    assert "Newsdigest-Deploy: pages" in body


def test_the_checked_out_branch_is_refused(project, tmp_path):
    site = make_site(tmp_path / "output")
    head = git(project, "rev-parse", "main")

    with pytest.raises(DigestError, match="'main': it is the branch checked out"):
        deploy(site, settings_for(project, branch="main"), "pages")

    assert git(project, "rev-parse", "main") == head
    assert branch_files(project, "main") == ["README.md"]
    assert git(tmp_path / "origin.git", "branch", "--list") == ""


@pytest.mark.parametrize("where", ["local", "remote", "detached"])
def test_a_branch_whose_tip_is_not_a_deploy_is_refused(project, tmp_path, where):
    """main with the sources, on this machine, on the remote, or while CI has a
    detached HEAD (so the checked-out-branch rule does not see it)."""
    site = make_site(tmp_path / "output")
    branch = "main"
    if where == "local":
        git(project, "checkout", "--quiet", "-b", "work")
    elif where == "remote":
        git(project, "push", "--quiet", "origin", "main:site")
        git(project, "fetch", "--quiet", "origin")
        branch = "site"
    else:
        git(project, "checkout", "--quiet", "--detach")
    sources = git(project, "rev-parse", "main")

    with pytest.raises(DigestError, match="is not a newsdigest deploy"):
        deploy(site, settings_for(project, branch=branch), "pages")

    assert git(project, "rev-parse", "main") == sources
    assert git(tmp_path / "origin.git", "branch", "--list").strip() in ("", "site")
    if where == "remote":
        assert branch_files(tmp_path / "origin.git", "site") == ["README.md"]


def test_dry_run_onto_the_source_branch_is_refused_too(project, tmp_path):
    site = make_site(tmp_path / "output")

    with pytest.raises(DigestError, match="checked out"):
        deploy(site, settings_for(project, branch="main"), "pages", dry_run=True)


def test_invalid_branch_name_is_refused(project, tmp_path):
    site = make_site(tmp_path / "output")

    for branch in ("-x..y", "HEAD", "@", "@{-1}", "refs/heads/main"):
        with pytest.raises(DigestError, match="not a valid branch name"):
            deploy(site, settings_for(project, branch=branch), "pages")
    assert git(tmp_path / "origin.git", "branch", "--list") == ""


def test_failed_fast_import_is_a_message_not_a_traceback(project, tmp_path):
    """A lock left by a crashed git makes ghp-import's fast-import fail."""
    site = make_site(tmp_path / "output")
    lock = project / ".git" / "refs" / "heads" / "gh-pages.lock"
    lock.write_text("")

    with pytest.raises(DigestError, match=r"ghp-import made no commit.*lock file"):
        deploy(site, settings_for(project), "pages")


def test_a_name_git_fast_import_would_misread_is_refused(project, tmp_path):
    site = make_site(tmp_path / "output", {**SITE, '"quoted".html': "<p>x</p>"})

    with pytest.raises(DigestError, match="starts with a double quote"):
        deploy(site, settings_for(project), "pages")
    assert git(project, "branch", "--list", "gh-pages") == ""


def test_names_with_spaces_and_unicode_reach_the_branch(project, tmp_path):
    names = {"sp ace/é ü.html": "<p>x</p>", "índice.html": "<p>y</p>"}
    site = make_site(tmp_path / "output", {**SITE, **names})

    result = deploy(site, settings_for(project), "pages")

    listing = git(
        project,
        "-c",
        "core.quotePath=false",
        "ls-tree",
        "-r",
        "--name-only",
        "gh-pages",
    ).splitlines()
    assert set(names) <= set(listing)
    assert set(names) <= set(result.uploaded)


def test_missing_git_is_a_clear_error(project, tmp_path, monkeypatch):
    site = make_site(tmp_path / "output")
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))

    with pytest.raises(DigestError, match=r"git is not installed.*github-pages"):
        deploy(site, settings_for(project), "pages")


def test_a_remote_that_git_would_read_as_an_option_is_refused(project, tmp_path):
    site = make_site(tmp_path / "output")
    settings = settings_for(project, remote="--receive-pack=touch /tmp/x")

    with pytest.raises(DigestError, match="starts with '-'"):
        deploy(site, settings, "pages")
    assert git(project, "branch", "--list", "gh-pages") == ""

"""github-pages target: ghp-import commits the site to a branch and pushes it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from newsdigest.deploy import deploy
from newsdigest.problems import DigestError
from tests.conftest_deploy import SITE, make_site


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

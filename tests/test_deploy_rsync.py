"""rsync target: mirrors the site to a local folder, refuses dangerous destinations."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdigest.deploy import deploy, rsync
from newsdigest.deploy.rsync import split_remote, unsafe_destination_reason
from newsdigest.problems import DigestError
from tests.conftest_deploy import SITE, make_site, read_tree


def settings_for(destination: str | Path, **target) -> dict:
    rsync = {"kind": "rsync", "destination": str(destination), **target}
    return {"DIGEST_DEPLOY": {"targets": {"server": rsync}}}


def test_first_deploy_copies_every_file(tmp_path):
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"

    result = deploy(site, settings_for(www), "server")

    assert read_tree(www) == read_tree(site)
    assert sorted(result.uploaded) == sorted(SITE)
    assert result.counts == {"uploaded": 8, "updated": 0, "deleted": 0, "unchanged": 0}


def test_second_deploy_sends_only_the_changed_file(tmp_path):
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"
    deploy(site, settings_for(www, options=["--checksum"]), "server")
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /drafts/\n")

    result = deploy(site, settings_for(www, options=["--checksum"]), "server")

    assert result.updated == ["robots.txt"]
    assert result.uploaded == []
    assert len(result.unchanged) == len(SITE) - 1
    assert (www / "robots.txt").read_text().endswith("/drafts/\n")


@pytest.mark.parametrize(("delete", "kept"), [(False, True), (True, False)])
def test_removed_file_is_deleted_only_with_delete(tmp_path, delete, kept):
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"
    deploy(site, settings_for(www, delete=delete), "server")
    (site / "archives.html").unlink()

    result = deploy(site, settings_for(www, delete=delete), "server")

    assert (www / "archives.html").exists() is kept
    assert result.deleted == ([] if kept else ["archives.html"])


def test_dry_run_changes_nothing_but_reports_the_plan(tmp_path):
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"
    www.mkdir()
    (www / "old.html").write_text("stale")

    result = deploy(site, settings_for(www, delete=True), "server", dry_run=True)

    assert read_tree(www) == {"old.html": b"stale"}
    assert result.dry_run
    assert sorted(result.uploaded) == sorted(SITE)
    assert result.deleted == ["old.html"]
    assert result.summary().startswith("[dry run]")


@pytest.mark.parametrize(
    ("destination", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("/", "root directory"),
        ("~", "home directory"),
        ("~/", "home directory"),
        ("user@host:", "remote home directory"),
        ("host:~", "remote home directory"),
        ("host:/", "remote root directory"),
        ("user@host://", "remote root directory"),
    ],
)
def test_dangerous_destinations_are_refused(tmp_path, destination, reason):
    site = make_site(tmp_path / "output")
    options = {"destination": destination, "delete": True, "options": []}

    with pytest.raises(DigestError, match=f"Refusing to rsync.*{reason}"):
        rsync.deploy(site, "server", options)
    with pytest.raises(DigestError, match=reason):  # caught by settings validation
        deploy(site, settings_for(destination), "server")


def test_destination_is_the_site_or_contains_it(tmp_path):
    site = make_site(tmp_path / "project" / "output")

    assert "site folder itself" in unsafe_destination_reason(str(site), site)
    assert "contains the site" in unsafe_destination_reason(
        str(tmp_path / "project"), site
    )
    assert "inside the site" in unsafe_destination_reason(str(site / "copy"), site)
    assert unsafe_destination_reason(str(tmp_path / "www"), site) is None
    assert unsafe_destination_reason("deploy@example.org:/var/www/digest", site) is None


def test_deploy_into_a_folder_containing_the_site_is_refused(tmp_path):
    site = make_site(tmp_path / "project" / "output")

    with pytest.raises(DigestError, match="contains the site folder"):
        deploy(site, settings_for(tmp_path / "project", delete=True), "server")
    assert read_tree(tmp_path / "project") == {
        f"output/{n}": read_tree(site)[n] for n in SITE
    }


@pytest.mark.parametrize(
    ("destination", "remote"),
    [
        ("user@host:/var/www", ("user@host", "/var/www")),
        ("host::module/digest", ("host", "module/digest")),
        ("/srv/www", None),
        ("./a:b", None),
    ],
)
def test_split_remote_follows_rsync_rules(destination, remote):
    assert split_remote(destination) == remote


def test_rsync_failure_is_reported(tmp_path):
    site = make_site(tmp_path / "output")
    missing_parent = tmp_path / "no" / "such" / "www"

    with pytest.raises(DigestError, match=r"rsync to .* failed"):
        deploy(site, settings_for(missing_parent), "server")

"""The deploy gate: a build is deployed only while it matches its manifest."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from newsdigest.deploy import deploy
from newsdigest.problems import DigestError
from newsdigest.publishing.manifest import (
    ALL_CHECKS,
    KEY_ENV,
    manifest_path,
    read_manifest,
    scan_site,
    verified_copy,
    verify_site,
)
from newsdigest.settings import settings_file_from_argv
from tests.helpers import SITE, make_site, read_tree, republish

TARGETS = {
    "server": {"kind": "rsync", "destination": "{www}", "delete": True},
    "bucket": {"kind": "s3", "bucket": "digest", "endpoint_url": "http://127.0.0.1:9"},
    "pages": {"kind": "github-pages", "repo": "{www}"},
}


def settings_for(www: Path) -> dict:
    targets = {
        name: {k: v.format(www=www) if isinstance(v, str) else v for k, v in t.items()}
        for name, t in TARGETS.items()
    }
    return {"DIGEST_DEPLOY": {"targets": targets}}


def refused(site: Path, www: Path, target: str = "server", **kwargs) -> str:
    """Deploy ``site`` and return the refusal; nothing may reach ``www``."""
    with pytest.raises(DigestError) as error:
        deploy(site, settings_for(www), target, **kwargs)
    assert not www.exists()
    return str(error.value)


def test_manifest_is_written_beside_the_build_not_inside(tmp_path):
    site = make_site(tmp_path / "site-1")

    path = manifest_path(site)
    manifest = read_manifest(site)

    assert path == tmp_path / "site-1.manifest.json"
    assert set(read_tree(site)) == set(SITE) == set(manifest.files)
    assert manifest.checks == ALL_CHECKS


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_an_edited_page_is_not_deployed(tmp_path, target):
    site = make_site(tmp_path / "output")
    (site / "index.html").write_text("<p>edited by hand</p>")

    message = refused(site, tmp_path / "www", target, dry_run=target == "bucket")

    assert "no longer matches the manifest" in message
    assert "changed (1): index.html" in message
    assert "invoke publish" in message


def test_an_added_and_a_removed_file_are_named(tmp_path):
    site = make_site(tmp_path / "output")
    (site / "extra.html").write_text("<p>dropped in</p>")
    (site / "robots.txt").unlink()

    message = refused(site, tmp_path / "www")

    assert "added (1): extra.html" in message
    assert "removed (1): robots.txt" in message


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_symlink_out_of_the_build_is_never_followed(tmp_path, kind):
    secret = tmp_path / "secret"
    if kind == "file":
        secret.write_text("AWS_SECRET_ACCESS_KEY=hunter2\n")
    else:
        secret.mkdir()
        (secret / "id_ed25519").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    site = make_site(tmp_path / "output")
    (site / "notes").symlink_to(secret)
    republish(site)  # a symlink present at publish time is left out...

    message = refused(site, tmp_path / "www")  # ...and refused at deploy time

    assert f"notes: a symlink (-> {secret}); never deployed" in message
    assert "notes" not in read_manifest(site).files


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("a\nb.html", "'a\\nb.html': its name contains a control character"),
        ("tab\t.css", "contains a control character"),
        ("a\\b.html", "its name contains a backslash"),
    ],
)
def test_names_with_control_characters_or_backslashes_are_refused(
    tmp_path, name, reason
):
    site = make_site(tmp_path / "output", {**SITE, name: "<p>x</p>"})

    assert reason in refused(site, tmp_path / "www")


def test_a_build_that_skipped_a_check_is_not_deployable(tmp_path):
    site = make_site(tmp_path / "output")
    republish(site, checks=["links"])

    message = refused(site, tmp_path / "www")

    assert "built with only these site checks: links" in message
    assert "(not anchors, assets, feeds, html, sitemaps)" in message
    assert "DIGEST_PUBLISH['checks']" in message


def test_a_build_without_a_manifest_is_refused(tmp_path):
    site = make_site(tmp_path / "output")
    manifest_path(site).unlink()

    assert "has no manifest" in refused(site, tmp_path / "www")


@pytest.mark.parametrize(
    "damage", ["{not json", '{"version": 1}', '{"version": 99, "files": {}}']
)
def test_a_damaged_manifest_is_refused(tmp_path, damage):
    site = make_site(tmp_path / "output")
    manifest_path(site).write_text(damage)

    message = refused(site, tmp_path / "www")

    assert "its manifest" in message and "invoke publish" in message
    assert "is damaged" in message or "cannot be read" in message


def test_siteurl_and_settings_file_must_be_the_deploys(tmp_path):
    site = make_site(tmp_path / "output")
    republish(site, siteurl="", settings_file=str(tmp_path / "pelicanconf.py"))

    with pytest.raises(DigestError, match="built for SITEURL ''"):
        verify_site(site, siteurl="https://digest.example.org")
    with pytest.raises(DigestError, match=r"built with settings .*pelicanconf\.py"):
        verify_site(site, settings_file=tmp_path / "publishconf.py")
    assert verify_site(site, siteurl="", settings_file=tmp_path / "pelicanconf.py")


def test_with_a_key_a_manifest_rewritten_to_match_a_tampered_file_is_refused(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(KEY_ENV, "ci-secret")
    site = make_site(tmp_path / "output")  # signed
    (site / "index.html").write_text("<script>steal()</script>")
    body = json.loads(manifest_path(site).read_text())
    body["files"]["index.html"] = scan_site(site)[0]["index.html"]
    manifest_path(site).write_text(json.dumps(body))

    assert "signature of its manifest" in refused(site, tmp_path / "www")


def test_with_a_key_an_unsigned_manifest_is_refused(tmp_path, monkeypatch):
    site = make_site(tmp_path / "output")  # unsigned
    monkeypatch.setenv(KEY_ENV, "ci-secret")

    assert "is not signed" in refused(site, tmp_path / "www")


def test_a_signed_manifest_needs_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "ci-secret")
    site = make_site(tmp_path / "output")
    monkeypatch.delenv(KEY_ENV)

    assert "signature cannot be checked" in refused(site, tmp_path / "www")


@pytest.mark.slow
def test_a_signed_untouched_build_deploys(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "ci-secret")
    site = make_site(tmp_path / "output")

    result = deploy(site, settings_for(tmp_path / "www"), "server")

    assert read_manifest(site).signed
    assert sorted(result.uploaded) == sorted(SITE)


def test_manifests_of_pruned_builds_are_removed(tmp_path):
    old = make_site(tmp_path / "site-1")
    for path in old.rglob("*"):
        if path.is_file():
            path.unlink()
    for folder in sorted(old.rglob("*"), reverse=True):
        folder.rmdir()
    old.rmdir()

    make_site(tmp_path / "site-2")

    assert sorted(p.name for p in tmp_path.glob("*.manifest.json")) == [
        "site-2.manifest.json"
    ]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["pelican", "content", "-s", "publishconf.py"], "publishconf.py"),
        (["/x/pelican/__main__.py", "content", "--settings=conf/p.py"], "conf/p.py"),
        (["pelican", "-e", "A=1", "--settings", "publishconf.py"], "publishconf.py"),
        (["/venv/bin/pelican", "content"], "pelicanconf.py"),  # pelican's default
        (["pytest", "-s", "tests"], None),
        (["/venv/bin/livereload-pelican", "-s", "x.py"], None),
    ],
)
def test_the_settings_file_is_read_from_the_command_line(tmp_path, argv, expected):
    (tmp_path / "pelicanconf.py").write_text("")

    found = settings_file_from_argv(argv, tmp_path)

    assert found == (str((tmp_path / expected).resolve()) if expected else None)


def test_a_manifest_listing_a_path_outside_the_build_is_refused(tmp_path):
    """Kind modules only ever get paths the walk found: never ``..``."""
    site = make_site(tmp_path / "output")
    (tmp_path / "outside.txt").write_text("secret")
    body = json.loads(manifest_path(site).read_text())
    body["files"]["../outside.txt"] = scan_site(tmp_path)[0]["outside.txt"]
    manifest_path(site).write_text(json.dumps(body))

    assert "removed (1): ../outside.txt" in refused(site, tmp_path / "www")


@pytest.mark.slow
def test_the_output_symlink_is_deployed_as_the_build_it_points_at(tmp_path):
    make_site(tmp_path / ".output.builds" / "site-1")
    (tmp_path / "output").symlink_to(".output.builds/site-1")

    result = deploy(tmp_path / "output", settings_for(tmp_path / "www"), "server")

    assert sorted(result.uploaded) == sorted(SITE)


def test_tools_read_a_copy_of_exactly_the_verified_files(tmp_path):
    site = make_site(tmp_path / "output")
    os.chmod(site / "theme", 0o755)
    os.chmod(site / "robots.txt", 0o644)
    files = read_manifest(site).files
    (site / "late.html").write_text("<p>added after the check</p>")

    with verified_copy(site, files) as copy:
        copied = read_tree(copy)
        modes = {p: stat.S_IMODE((copy / p).stat().st_mode) for p in ("theme", ".")}
        same_time = (copy / "robots.txt").stat().st_mtime_ns == (
            site / "robots.txt"
        ).stat().st_mtime_ns
    (site / "index.html").write_text("<p>changed after the check</p>")

    assert set(copied) == set(SITE)  # not late.html
    assert modes["theme"] == 0o755 and modes["."] == stat.S_IMODE(site.stat().st_mode)
    assert same_time
    assert not copy.exists()
    with (
        pytest.raises(DigestError, match=r"index\.html: it changed after"),
        verified_copy(site, files),
    ):
        pass

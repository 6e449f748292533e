"""rsync target: mirrors the site to a local folder, refuses dangerous destinations."""

from __future__ import annotations

import itertools
import os
import posixpath
from pathlib import Path

import pytest

from newsdigest.deploy import deploy, rsync
from newsdigest.deploy.rsync import split_remote, unsafe_destination_reason
from newsdigest.problems import DigestError
from tests.helpers import SITE, make_site, read_tree, republish


def settings_for(destination: str | Path, **target) -> dict:
    rsync = {"kind": "rsync", "destination": str(destination), **target}
    return {"DIGEST_DEPLOY": {"targets": {"server": rsync}}}


@pytest.mark.slow
def test_first_deploy_copies_every_file(tmp_path):
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"

    result = deploy(site, settings_for(www), "server")

    assert read_tree(www) == read_tree(site)
    assert sorted(result.uploaded) == sorted(SITE)
    assert result.counts == {"uploaded": 8, "updated": 0, "deleted": 0, "unchanged": 0}


@pytest.mark.slow
def test_an_unchanged_site_sends_nothing_with_rsyncs_quick_check(tmp_path):
    """rsync reads a private copy of the build: it keeps the files' times."""
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"
    deploy(site, settings_for(www), "server")

    result = deploy(site, settings_for(www), "server")

    assert result.counts == {"uploaded": 0, "updated": 0, "deleted": 0, "unchanged": 8}


@pytest.mark.slow
def test_second_deploy_sends_only_the_changed_file(tmp_path):
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"
    deploy(site, settings_for(www, options=["--checksum"]), "server")
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /drafts/\n")
    republish(site)

    result = deploy(site, settings_for(www, options=["--checksum"]), "server")

    assert result.updated == ["robots.txt"]
    assert result.uploaded == []
    assert len(result.unchanged) == len(SITE) - 1
    assert (www / "robots.txt").read_text().endswith("/drafts/\n")


@pytest.mark.slow
def test_files_written_again_with_the_same_bytes_are_not_sent(tmp_path):
    """A new build writes every file again (new times): rsync compares content."""
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"
    deploy(site, settings_for(www), "server")
    for path in site.rglob("*"):
        if path.is_file():
            os.utime(path, (1_700_000_000, 1_700_000_000))
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /x/\n")
    republish(site)

    dry = deploy(site, settings_for(www), "server", dry_run=True)
    result = deploy(site, settings_for(www), "server")

    for done in (dry, result):
        assert (done.uploaded, done.updated, done.deleted) == ([], ["robots.txt"], [])
    assert read_tree(www) == read_tree(site)


@pytest.mark.slow
def test_a_dry_run_lists_what_it_would_upload_update_and_delete(tmp_path):
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"
    deploy(site, settings_for(www), "server")
    (site / "robots.txt").write_text("changed\n")
    (site / "new.html").write_text("<p>new</p>")
    (www / "old\x1b[2J.html").write_text("stale")  # the target's names too
    republish(site)

    result = deploy(site, settings_for(www, delete=True), "server", dry_run=True)

    assert result.summary().splitlines() == [
        "[dry run] would deploy to server (rsync): 1 uploaded, 1 updated, "
        "1 deleted, 7 unchanged",
        "  would upload: new.html",
        "  would update: robots.txt",
        "  would delete: old\\u001b[2J.html",
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("delete", "kept"), [(False, True), (True, False)])
def test_removed_file_is_deleted_only_with_delete(tmp_path, delete, kept):
    site = make_site(tmp_path / "output")
    www = tmp_path / "www"
    deploy(site, settings_for(www, delete=delete), "server")
    (site / "archives.html").unlink()
    republish(site)

    result = deploy(site, settings_for(www, delete=delete), "server")

    assert (www / "archives.html").exists() is kept
    assert result.deleted == ([] if kept else ["archives.html"])


@pytest.mark.slow
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


@pytest.mark.slow
def test_names_with_spaces_and_unicode_are_deployed_and_counted(tmp_path):
    names = {"sp ace/é ü.html": "<p>x</p>", "índice.html": "<p>y</p>", "a b.css": "b"}
    site = make_site(tmp_path / "output", {**SITE, **names})
    www = tmp_path / "www"

    result = deploy(site, settings_for(www), "server")

    assert read_tree(www) == read_tree(site)
    assert sorted(result.uploaded) == sorted([*SITE, *names])


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A fake home with ~/.ssh/authorized_keys, a project with a published build,
    the working folder deep inside the project, and rsync disarmed: these tests
    run as root, and a broken guard must fail them, not mirror onto /etc."""
    home = tmp_path / "home" / "curator"
    keys = home / ".ssh" / "authorized_keys"
    keys.parent.mkdir(parents=True)
    keys.write_text("ssh-ed25519 AAAA... curator@laptop\n")
    monkeypatch.setenv("HOME", str(home))
    project = tmp_path / "work" / "project"
    (project / "content" / "items").mkdir(parents=True)
    site = make_site(project / ".output.builds" / "site-1")
    (project / "output").symlink_to(".output.builds/site-1")
    monkeypatch.chdir(project / "content" / "items")

    def never(command, **_):  # a guard that let one through must not wipe it
        raise AssertionError(f"rsync was about to run: {command}")

    monkeypatch.setattr(rsync.subprocess, "run", never)
    settings = {
        "PATH": str(project / "content"),
        "OUTPUT_PATH": str(project / "output"),
    }
    return {"home": home, "keys": keys, "project": project, "site": site, **settings}


# destination ({home}, {project}, {work} are filled in) → what the refusal says
UNSAFE = [
    # remote, normalised with posixpath rules
    ("host:/.", "root directory"),
    ("host:/srv/..", "root directory"),
    ("host://", "root directory"),
    ("host:/srv/../home/./x/..", "top-level folder /home"),
    ("host:~/.", "remote home directory"),
    ("host:.//", "remote home directory"),
    ("host:", "remote home directory"),
    ("host:~", "remote home directory"),
    ("host:~digest", "remote home directory ~digest"),
    ("host:..", "climbs out of the remote home"),
    ("host:~/../other", "climbs out of the remote home"),
    ("host:www/../..", "climbs out of the remote home"),
    ("host:~/.ssh", "dotfile or dot folder"),
    ("host:.ssh/", "dotfile or dot folder"),
    ("user@host:/home/", "top-level folder /home"),
    ("user@host:/home/digest", "home directory /home/digest"),
    ("user@host:/home/digest/.ssh", "dotfile or dot folder"),
    ("host:/root", "top-level folder /root"),
    ("host:/root/.ssh", "dotfile or dot folder"),
    ("host:/etc/nginx/sites", "inside the system folder /etc"),
    ("host:/usr/share/nginx", "inside the system folder /usr"),
    ("host:/lib64", "system folder /lib64"),
    ("host:/proc/self", "system folder /proc"),
    ("host:/var", "top-level folder /var"),
    ("host:/var/www/", "system folder /var/www"),
    ("host:/var/lib/digest", "system folder /var/lib"),
    ("host:/srv/", "top-level folder /srv"),
    ("host:/tmp", "top-level folder /tmp"),
    ("host:/opt", "top-level folder /opt"),
    ("[::1]:/", "root directory"),
    ("host::", "names no rsync daemon module"),
    ("host::mod/../..", "climbs out of the rsync daemon module"),
    ("rsync://host/", "names no rsync daemon module"),
    ("host:$HOME", "contains '$'"),
    ("host:`id`", "contains '$' or '`'"),
    # local, resolved through symlinks from the working folder
    ("/", "root directory"),
    ("/home", "top-level folder /home"),
    ("/etc", "system folder /etc"),
    ("/usr", "system folder /usr"),
    ("/var", "top-level folder /var"),
    ("/usr/local/bin", "system folder /usr"),
    ("/srv", "top-level folder /srv"),
    ("/tmp/", "top-level folder /tmp"),
    ("../" * 30, "root directory"),
    ("{home}", "your home directory"),
    ("~/.", "your home directory"),
    ("~", "your home directory"),
    ("{home}/.ssh", "dot folder of your home"),
    ("~/.ssh/", "dot folder of your home"),
    ("$HOME", "contains '$'"),
    ("{project}", "contains the site folder"),
    ("{project}/content", "is or contains the project's folder"),
    ("{project}/content/www", "inside the project's folder"),
    ("..", "contains the project's folder"),  # content/ from content/items
    ("{work}", "contains the site folder"),
    ("{project}/.output.builds", "contains the site folder"),
    ("{project}/output/copy", "inside the site folder"),
    ("-e sh", "starts with '-'"),
    ("host:/srv/digest; rm -rf ~", "the remote shell would interpret"),
    ("host:/srv/*", "the remote shell would interpret"),
    ("{project}/www\n", "control character"),
]


@pytest.mark.parametrize(("destination", "reason"), UNSAFE)
def test_unsafe_destinations_are_refused_before_rsync_runs(world, destination, reason):
    destination = destination.format(
        home=world["home"], project=world["project"], work=world["project"].parent
    )
    settings = {
        **settings_for(destination, delete=True),
        "PATH": world["PATH"],
        "OUTPUT_PATH": world["OUTPUT_PATH"],
    }

    with pytest.raises(DigestError) as refused:
        deploy(world["site"], settings, "server")

    assert reason in str(refused.value)
    assert "Refusing" in str(refused.value) or "DIGEST_DEPLOY" in str(refused.value)
    assert world["keys"].read_text().startswith("ssh-ed25519")
    assert (world["site"] / "index.html").is_file()


def test_a_symlink_to_the_home_is_resolved_and_refused(world, tmp_path):
    link = tmp_path / "www-link"
    link.symlink_to(world["home"])

    reason = unsafe_destination_reason(str(link), world["site"])

    assert reason and "your home directory" in reason


def test_destination_read_from_the_environment_is_checked_the_same(world, monkeypatch):
    """publishconf.py may take the destination from CI's environment."""
    monkeypatch.setenv("DEPLOY_DESTINATION", f"{world['home']}/.ssh")
    settings = settings_for(os.environ["DEPLOY_DESTINATION"], delete=True)

    with pytest.raises(DigestError, match="dot folder of your home"):
        deploy(world["site"], settings, "server")
    assert world["keys"].is_file()


@pytest.mark.parametrize(
    "destination",
    [
        "host:/srv/digest",
        "host:/var/www/digest/",
        "host:/var/www/html",
        "host:www",
        "host:~/www/",
        "user@host:/home/digest/www",
        "host::digest",
        "host::digest/news",
        "rsync://host/digest/",
        "deploy@example.org:/var/www/digest",
        "[2001:db8::1]:/srv/digest",
        "{tmp}/www",
        "{project}/../www",
    ],
)
def test_ordinary_web_roots_are_accepted(world, tmp_path, destination):
    destination = destination.format(tmp=tmp_path, project=world["project"])
    protected = (Path(world["PATH"]), Path(world["OUTPUT_PATH"]))

    assert unsafe_destination_reason(destination, world["site"], protected) is None


@pytest.mark.parametrize(
    ("destination", "remote"),
    [
        ("user@host:/var/www", ("user@host", "/var/www")),
        ("host::module/digest", ("host", ":module/digest")),
        ("[::1]:/srv", ("[::1]", "/srv")),
        ("/srv/www", None),
        ("./a:b", None),
    ],
)
def test_split_remote_follows_rsync_rules(destination, remote):
    assert split_remote(destination) == remote


@pytest.mark.slow
def test_rsync_failure_says_what_the_exit_code_means(tmp_path):
    site = make_site(tmp_path / "output")
    missing_parent = tmp_path / "no" / "such" / "www"

    with pytest.raises(DigestError) as failed:
        deploy(site, settings_for(missing_parent), "server")

    message = str(failed.value)
    assert "target 'server'" in message and "exit code 11" in message
    assert "error in file I/O" in message and "mkdir" in message


@pytest.mark.slow
def test_remote_shell_failure_is_explained(tmp_path):
    site = make_site(tmp_path / "output")
    settings = settings_for("host.invalid:/srv/digest", options=["--rsh=false"])

    with pytest.raises(DigestError, match="exit code 12: error in the rsync protocol"):
        deploy(site, settings, "server")


@pytest.mark.slow
def test_missing_rsync_is_a_clear_error(tmp_path, monkeypatch):
    site = make_site(tmp_path / "output")
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))

    with pytest.raises(DigestError, match=r"rsync is not installed.*apt-get install"):
        deploy(site, settings_for(tmp_path / "www"), "server")


REMOTE_HOME = "/home/u"  # what the remote user's home is, for the model below


def remote_meaning(path: str) -> str:
    """Where rsync over ssh writes ``host:path``, as an absolute normalised path:
    relative paths and ``~``/``~user`` start in a home directory."""
    if path.startswith("/"):
        return "/" + posixpath.normpath(path).lstrip("/")
    if path.startswith("~"):
        user, _, rest = path[1:].partition("/")
        base = REMOTE_HOME if user in ("", "u") else f"/home/{user}"
        return "/" + posixpath.normpath(f"{base}/{rest}").lstrip("/")
    return "/" + posixpath.normpath(f"{REMOTE_HOME}/{path}").lstrip("/")


def must_refuse(real: str) -> bool:
    if real in ("/", "/home", "/srv", "/etc", "/var", "/root", "/var/www"):
        return True
    if real.startswith(("/etc/", "/root/.")) or REMOTE_HOME.startswith(real + "/"):
        return True
    if real.startswith("/home/") and real.count("/") == 2:  # anyone's home
        return True
    inside_home = real.removeprefix(REMOTE_HOME + "/")
    return inside_home != real and inside_home.startswith(".")


def test_no_spelling_of_a_home_root_or_system_folder_gets_through():
    """Every remote path of up to four segments from a hostile alphabet."""
    segments = ["", ".", "..", "~", "srv", "home", "u", "etc", ".ssh", "www"]
    missed = []
    for length in range(5):
        for parts in itertools.product(segments, repeat=length):
            for lead in ("", "/", "//"):
                path = lead + "/".join(parts)
                real = remote_meaning(path)
                if must_refuse(real) and not unsafe_destination_reason(f"h:{path}"):
                    missed.append((path, real))

    assert missed == []

"""`newsdigest deploy` and `invoke deploy`: one gate, real production builds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsdigest.publishing.manifest import ALL_CHECKS, manifest_path
from tests.helpers import item, run_module


def run(project, *command: str) -> subprocess.CompletedProcess[str]:
    return run_module(*command, cwd=project.root)


def newsdigest_deploy(project, *args: str) -> subprocess.CompletedProcess[str]:
    return run(project, "newsdigest", "deploy", "--project", str(project.root), *args)


def invoke_deploy(project, *args: str) -> subprocess.CompletedProcess[str]:
    return run(project, "invoke", "deploy", *args)


@pytest.fixture
def published(make_project, tmp_path):
    """A small project published with publishconf.py and a local rsync target."""
    project = make_project()
    project.write("content/items/one.md", item())
    www = tmp_path / "www"
    with (project.root / "publishconf.py").open("a") as conf:
        conf.write(
            f'\nDIGEST_DEPLOY = {{"targets": {{"local": {{"kind": "rsync", '
            f'"destination": "{www}", "delete": True}}}}}}\n'
        )
    built = project.build("publishconf.py")
    assert built.returncode == 0, built.stdout + built.stderr
    project.www = www
    return project


def assert_refused(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    for fragment in fragments:
        assert fragment in output, output


@pytest.mark.slow
def test_publish_records_a_manifest_beside_the_build(published):
    site = published.output.resolve()

    manifest = json.loads(manifest_path(site).read_text())

    assert manifest_path(site).parent == site.parent  # beside, never deployed
    assert tuple(manifest["checks"]) == ALL_CHECKS
    assert manifest["settings_file"] == str(published.root / "publishconf.py")
    assert manifest["siteurl"] == "https://digest.example.org"
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk


@pytest.mark.slow
def test_a_checked_build_deploys_with_either_command(published):
    dry = newsdigest_deploy(published, "local", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("[dry run] would deploy to local (rsync)")
    assert not published.www.exists()

    done = invoke_deploy(published, "local")

    assert done.returncode == 0, done.stdout + done.stderr
    assert (published.www / "index.html").is_file()
    assert not list(published.www.glob("*.manifest.json"))


@pytest.mark.slow
def test_an_edited_and_an_added_file_are_refused_by_both_commands(published):
    (published.output / "index.html").write_text("<p>defaced</p>")
    (published.output / "extra.html").write_text("<p>added</p>")

    for done in (
        newsdigest_deploy(published, "local"),
        invoke_deploy(published, "local"),
        newsdigest_deploy(published, "local", "--dry-run"),
    ):
        assert_refused(done, "changed (1): index.html", "added (1): extra.html")
    assert not published.www.exists()


@pytest.mark.slow
def test_a_staging_false_build_written_through_the_live_build_is_refused(
    published,
):
    published.write(
        "content/items/two.md", item(title="Two", source_url="https://e.org/2")
    )
    live = published.output.resolve()
    before = {p: p.read_bytes() for p in live.rglob("*") if p.is_file()}
    rebuilt = published.build(
        "publishconf.py", DIGEST_PUBLISH={"staging": False, "max_page_loss": 1.0}
    )
    assert rebuilt.returncode == 1
    assert "would write into the live site" in rebuilt.stdout + rebuilt.stderr
    assert {p: p.read_bytes() for p in live.rglob("*") if p.is_file()} == before

    # Had anything written through the link, the manifest would refuse it.
    (live / "two.html").write_text("<p>written through the link</p>")
    assert_refused(newsdigest_deploy(published, "local"), "added (1): two.html")


@pytest.mark.slow
def test_a_production_build_with_one_check_is_not_deployable(published):
    rebuilt = published.build("publishconf.py", DIGEST_PUBLISH={"checks": ["links"]})
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr

    assert_refused(
        invoke_deploy(published, "local"),
        "built with only these site checks: links",
        "DIGEST_PUBLISH['checks']",
    )


@pytest.mark.slow
def test_a_preview_after_publish_never_blocks_the_deploy(published):
    production = published.output.resolve()
    preview = published.build("pelicanconf.py")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert published.output == published.root / "output-dev"
    assert published.output.resolve() != production
    assert (published.root / "output").resolve() == production  # untouched

    for deploy_with in (newsdigest_deploy, invoke_deploy):
        dry = deploy_with(published, "local", "--dry-run")
        assert dry.returncode == 0, dry.stdout + dry.stderr
    done = invoke_deploy(published, "local")
    assert done.returncode == 0, done.stdout + done.stderr
    feed = (published.www / "feeds" / "all.atom.xml").read_text()
    assert "https://digest.example.org/" in feed  # the production build went


@pytest.mark.slow
def test_a_development_build_in_the_production_output_is_not_deployable(published):
    rebuilt = published.build("pelicanconf.py", OUTPUT_PATH="output")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr

    assert_refused(
        newsdigest_deploy(published, "local"), "pelicanconf.py, not", "publishconf.py"
    )


@pytest.mark.slow
@pytest.mark.parametrize("deploy_with", [newsdigest_deploy, invoke_deploy])
def test_an_unknown_target_is_a_message(published, deploy_with):
    assert_refused(
        deploy_with(published, "nope"),
        "Unknown deploy target 'nope'",
        "Configured targets: local",
    )


@pytest.mark.slow
def test_no_published_build_is_a_message(make_project):
    project = make_project()

    assert_refused(newsdigest_deploy(project, "pages"), "invoke publish")


@pytest.mark.slow
def test_a_broken_settings_file_is_a_message(published):
    with (published.root / "publishconf.py").open("a") as conf:
        conf.write("\nDIGEST_DEPLOY = {\n")

    assert_refused(
        newsdigest_deploy(published, "local"), "Cannot read the settings file"
    )


@pytest.mark.slow
def test_deploy_command_has_help():
    done = subprocess.run(
        [sys.executable, "-m", "newsdigest", "deploy", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0
    assert "Deploy the published build to TARGET" in done.stdout
    assert "--dry-run" in done.stdout

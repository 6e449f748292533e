"""The invoke tasks, run as a site owner runs them, in a copy of the project."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers import PINNED_ENV, REPO, output_of, run_module

TASKS = [
    "add",
    "bench",
    "build",
    "check",
    "clean",
    "deploy",
    "drift",
    "ingest",
    "livereload",
    "lock",
    "new",
    "publish",
    "rebuild",
    "serve",
    "test",
]


def invoke(project, *args: str) -> subprocess.CompletedProcess[str]:
    return run_module("invoke", *args, cwd=project.root if project else REPO)


@pytest.mark.slow
def test_every_task_is_listed_with_its_help():
    listing = invoke(None, "--list").stdout
    for name in TASKS:
        line = next(
            (line for line in listing.splitlines() if line.strip().startswith(name)), ""
        )
        assert len(line.split(maxsplit=1)) == 2, f"{name} has no help text: {listing}"


@pytest.mark.slow
@pytest.mark.parametrize("name", TASKS)
def test_every_task_documents_its_options(name):
    result = invoke(None, "--help", name)
    assert result.returncode == 0
    assert (
        "Docstring:" in result.stdout
        and "none" not in result.stdout.split("Docstring:")[1][:10]
    )


@pytest.mark.slow
def test_build_clean_rebuild(make_project):
    project = make_project(sample=True)
    assert invoke(project, "publish").returncode == 0
    production = project.root / "output"
    assert invoke(project, "build").returncode == 0
    assert project.output == project.root / "output-dev"
    assert (project.output / "index.html").is_file()
    assert (project.root / "cache" / "newsdigest-items").is_dir()
    assert invoke(project, "clean").returncode == 0
    assert (
        not project.output.exists()
        and not (project.root / ".output-dev.builds").exists()
    )
    assert not (project.root / "cache").exists()
    assert (production / "index.html").is_file()  # the deployable build stays
    assert invoke(project, "rebuild").returncode == 0
    assert (project.output / "index.html").is_file()
    assert invoke(project, "clean", "--production").returncode == 0
    assert not os.path.lexists(production) and not os.path.lexists(project.output)


@pytest.mark.slow
def test_deploy_needs_a_checked_production_build(make_project, tmp_path):
    project = make_project(sample=True)
    www = tmp_path / "www"
    with (project.root / "publishconf.py").open("a") as conf:
        conf.write(
            f'\nDIGEST_DEPLOY = {{"targets": {{"local": {{"kind": "rsync", '
            f'"destination": "{www}", "delete": True}}}}}}\n'
        )
    assert invoke(project, "build").returncode == 0  # a development build
    refused = invoke(project, "deploy", "local")
    assert refused.returncode != 0
    assert "Run `invoke publish` first" in refused.stdout + refused.stderr
    published = invoke(project, "publish")
    assert published.returncode == 0, published.stdout + published.stderr
    # Previewing after publishing leaves the production build deployable.
    assert invoke(project, "build").returncode == 0
    dry = invoke(project, "deploy", "local", "--dry-run")
    assert dry.returncode == 0 and not www.exists()
    done = invoke(project, "deploy", "local")
    assert done.returncode == 0, done.stderr
    assert (www / "index.html").is_file()
    assert "https://digest.example.org/" in (www / "feeds" / "all.atom.xml").read_text()


# --- 15. tasks.py with a Python path containing a space -----------------------------
@pytest.mark.slow
def test_tasks_run_with_a_python_path_containing_a_space(make_project, tmp_path):
    project = make_project(sample=True)
    spaced = tmp_path / "my python" / "bin"
    spaced.mkdir(parents=True)
    (spaced / "python").symlink_to(sys.executable)
    site_packages = [p for p in sys.path if p.endswith("site-packages")]
    env = {
        **os.environ,
        **PINNED_ENV,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), *site_packages]),
    }
    result = subprocess.run(
        [str(spaced / "python"), "-m", "invoke", "build"],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, output_of(result)
    assert (project.output / "index.html").is_file()


@pytest.mark.slow
def test_clean_keeps_what_newsdigest_did_not_create(make_project):
    project = make_project(sample=True)
    assert project.build().returncode == 0
    foreign = project.root / ".output-dev.builds" / "notes"
    foreign.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "clean"],
        cwd=project.root,
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, output_of(result)
    assert not os.path.lexists(project.output)
    assert foreign.is_dir() and "Kept" in result.stdout
    assert not list((project.root / ".output-dev.builds").glob("site-*"))

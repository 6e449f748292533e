"""`newsdigest check`: the whole validation, as a report for people or for CI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import item, run_module


def check(project, *args: str) -> subprocess.CompletedProcess[str]:
    return run_module("newsdigest", "check", "--project", str(project.root), *args)


@pytest.mark.slow
def test_sample_project_passes(make_project):
    project = make_project(sample=True)
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Errors" not in result.stdout
    assert not project.output.exists(), "check publishes nothing"


@pytest.mark.slow
def test_problems_come_back_as_json_grouped_with_fixes(make_project):
    project = make_project()
    project.write("content/items/ok.md", item())
    project.write(
        "content/items/bad.md", item(topic="sport", source_url="javascript:alert(1)")
    )
    project.write(
        "content/items/dup.md", item(title="Other")
    )  # same source_url as ok.md
    result = check(project, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    found = {(p["path"], p["field"]) for p in report["errors"]}
    assert ("content/items/bad.md", "topic") in found
    assert ("content/items/bad.md", "source_url") in found
    assert ("content/items/dup.md", "source_url") in found
    assert all(p["fix"] for p in report["errors"])
    assert report["summary"]["errors"] == len(report["errors"])


@pytest.mark.slow
def test_text_report_names_file_line_and_fix(make_project):
    project = make_project()
    project.write("content/items/bad.md", item(label="rumour"))
    result = check(project, "-s", "pelicanconf.py")
    assert result.returncode == 1
    assert "content/items/bad.md" in result.stdout
    assert "[label]" in result.stdout and "fix:" in result.stdout


@pytest.mark.slow
def test_check_of_a_built_site_folder(make_project, tmp_path):
    project = make_project()
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text('<!DOCTYPE html><a href="missing/">x</a>')
    result = check(project, "--site", str(site))
    assert result.returncode == 1
    assert "missing/" in result.stdout


@pytest.mark.slow
def test_every_command_has_help():
    result = subprocess.run(
        [sys.executable, "-m", "newsdigest", "check", "--help"],
        capture_output=True,
        text=True,
    )
    assert (
        result.returncode == 0
        and "Validate content and the built site" in result.stdout
    )


def _groups(group, path=()):
    """Every command group of the ``newsdigest`` command, with its words."""
    import click

    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _groups(command, (*path, name))


def test_every_command_listed_in_help_has_a_complete_sentence():
    from click.testing import CliRunner

    from newsdigest.cli import cli

    for path, _group in _groups(cli):
        result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=80)
        assert result.exit_code == 0, result.output
        listing = result.output.split("Commands:\n", 1)[1]
        rows = [line.split(None, 1) for line in listing.splitlines() if line.strip()]
        for name, text in rows:
            where = f"newsdigest {' '.join(path)} --help: {name}"
            assert text.endswith("."), f"{where}: {text!r} is cut short"
            assert not text.endswith("..."), f"{where}: {text!r} is cut short"
            assert "e.g" not in text, f"{where}: {text!r}"


# --- 10. `newsdigest check --format json`: only JSON on stdout ----------------------
def check_json(project, *args: str) -> tuple[int, dict]:
    result = check(project, "--format", "json", *args)
    return result.returncode, json.loads(result.stdout)


@pytest.mark.slow
def test_check_json_on_success_is_only_json(make_project):
    code, report = check_json(make_project(sample=True))
    assert code == 0
    assert report["summary"] == {"errors": 0, "warnings": 0}


@pytest.mark.slow
def test_check_json_on_failures_is_only_json(make_project):
    project = make_project()
    project.write("content/items/bad.md", item(topic="sport"))
    code, report = check_json(project)
    assert code == 1
    assert [p["field"] for p in report["errors"]] == ["topic"]
    code, report = check_json(project, "-s", "missing.py")
    assert code == 1 and "missing.py" in report["errors"][0]["message"]

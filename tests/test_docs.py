"""The docs cannot rot: every command and config example in them is exercised.

Each fenced block of README.md, CONTRIBUTING.md and docs/*.md is read by its
language: a shell command must name a real task, command, module or extra, with
options that exist; a Python settings example must pass the checks of every
feature it sets; YAML and front matter examples must pass the reader's own
checks. Blocks without a language are output and messages, shown as printed.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from newsdigest.model.frontmatter import split
from newsdigest.model.schema import validate_item
from newsdigest.model.topics import load_topics

REPO = Path(__file__).resolve().parent.parent
DOCS = [
    REPO / "README.md",
    REPO / "CONTRIBUTING.md",
    *sorted(p for p in (REPO / "docs").glob("*.md")),
]
#: A valid item's front matter, for examples that show only the keys they add.
ITEM_FRONT = """title: An example
date: 2022-01-02
topic: economy
summary: One sentence.
source: Example Wire
source_url: https://example.com/story
"""
FENCE = re.compile(r"(?ms)^```([a-z]*)\n(.*?)^```$")


def blocks(language: str) -> list[tuple[str, str]]:
    """(``file:line``, text) of every block in ``language`` across the docs."""
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match[1] == language:
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{path.relative_to(REPO)}:{line}", match[2]))
    return found


def commands(text: str) -> list[list[str]]:
    """The commands of a shell block: continuation lines joined, comments and
    ``&&`` chains split, optional ``[...]`` parts and placeholders left out."""
    found = []
    for line in text.replace("\\\n", " ").splitlines():
        line = re.sub(r"\[[^\]]*\]", "", line.split("  #")[0]).strip()
        if not line or line.startswith("#"):
            continue
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words:
                found.append(words)
    return found


def options_of(words: list[str]) -> list[str]:
    return [w.split("=")[0] for w in words if w.startswith("--")]


def click_command(words: list[str]) -> tuple[click.Command, list[str]]:
    from newsdigest.cli import cli

    command: click.Command = cli
    rest = words
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(click.Context(command), rest[0])
        assert sub is not None, f"newsdigest has no command {rest[0]!r}"
        command, rest = sub, rest[1:]
    return command, rest


def assert_click_options(words: list[str]) -> None:
    command, rest = click_command(words)
    known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    known |= {"--help"}
    for option in options_of(rest):
        assert option in known, f"newsdigest {words[0]} has no option {option}"


def assert_invoke_task(words: list[str]) -> None:
    import tasks
    from invoke import Collection

    collection = Collection.from_module(tasks)
    name, rest = words[0], words[1:]
    assert name in collection.task_names, f"there is no task `invoke {name}`"
    task = collection[name]
    known = {f"--{a.name.replace('_', '-')}" for a in task.get_arguments()}
    for option in options_of(rest):
        assert option in known, f"invoke {name} has no option {option}"


def assert_pip_install(words: list[str]) -> None:
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for index, word in enumerate(words):
        if word == "-c":
            assert (REPO / words[index + 1]).is_file(), f"no file {words[index + 1]}"
        match = re.fullmatch(r"\.\[([a-z,]+)\]", word)
        if match:
            for extra in match[1].split(","):
                assert extra in extras, f"pyproject.toml has no extra {extra!r}"


def assert_python_module(words: list[str]) -> None:
    module, rest = words[0], words[1:]
    if module == "pip":
        if rest[:1] == ["install"]:
            assert_pip_install(rest)
        return
    if module == "invoke":
        if rest and not rest[0].startswith("-"):
            assert_invoke_task(rest)
        return
    if module == "newsdigest":
        assert_click_options(rest)
        return
    if module == "pytest":
        return
    path = REPO / (module.replace(".", "/") + ".py")
    if module.startswith(("benchmarks", "newsdigest")):
        if not path.is_file():
            path = REPO / "src" / (module.replace(".", "/") + ".py")
        if not path.is_file():
            path = path.with_suffix("") / "__main__.py"
        assert path.is_file(), f"no module {module}"
        source = path.read_text()
        for option in options_of(rest):
            assert f'"{option}"' in source, f"python -m {module} has no {option}"
        return
    if module in {"venv", "pre_commit", "mypy", "vulture"}:
        return
    raise AssertionError(f"python -m {module} is not a command the docs may show")


def check_command(words: list[str]) -> None:
    program, rest = words[0], words[1:]
    if program in {"python3", "python"}:
        assert rest[:1] == ["-m"], f"{shlex.join(words)}: run tools as python3 -m"
        assert_python_module(rest[1:])
    elif program == "newsdigest":
        assert_click_options(rest)
    elif program == "invoke":
        assert_invoke_task(rest)
    elif program in {"cd", "git", "ruff", "ln", ".", "source"}:
        return
    else:
        raise AssertionError(f"unknown program {program!r}")


@pytest.mark.parametrize(("where", "text"), blocks("sh"), ids=lambda v: str(v)[:40])
def test_every_shell_example_names_what_exists(where: str, text: str) -> None:
    for words in commands(text):
        try:
            check_command(words)
        except AssertionError as error:
            raise AssertionError(f"{where}: {shlex.join(words)}: {error}") from None


def feature_checks() -> dict[str, Any]:
    from newsdigest.deploy import deploy_config
    from newsdigest.editions.model import editions_config
    from newsdigest.feeds.plan import feeds_config
    from newsdigest.links.config import archive_config
    from newsdigest.model.scheduling import schedule_config
    from newsdigest.plugins.discovery import config_of
    from newsdigest.plugins.search import search_config
    from newsdigest.settings import content_config, publish_config

    return {
        "DIGEST_CONTENT": content_config,
        "DIGEST_PUBLISH": publish_config,
        "DIGEST_FEEDS": feeds_config,
        "DIGEST_SCHEDULE": schedule_config,
        "DIGEST_EDITIONS": editions_config,
        "DIGEST_DISCOVERY": config_of,
        "DIGEST_SEARCH": search_config,
        "DIGEST_DEPLOY": deploy_config,
        "DIGEST_ARCHIVE": archive_config,
    }


@pytest.mark.parametrize(("where", "text"), blocks("python"), ids=lambda v: str(v)[:40])
def test_every_settings_example_passes_the_checks(where: str, text: str) -> None:
    from pelican.settings import read_settings

    example: dict[str, Any] = {}
    exec(compile(text, where, "exec"), example)
    settings = read_settings(str(REPO / "pelicanconf.py"))
    set_here = {k: v for k, v in example.items() if k.isupper()}
    assert set_here, f"{where}: a Python example that sets no setting"
    settings.update(set_here)
    checks = feature_checks()
    unknown = {n for n in set_here if n.startswith("DIGEST_")} - set(checks)
    assert not unknown, f"{where}: no check for {unknown}: add it to feature_checks"
    for name in set_here:
        if name in checks:
            checks[name](settings)  # raises DigestError naming every problem


@pytest.mark.parametrize(("where", "text"), blocks("yaml"), ids=lambda v: str(v)[:40])
def test_every_yaml_example_is_read_as_the_build_reads_it(
    where: str, text: str, tmp_path: Path
) -> None:
    from newsdigest.model.sources import load_sources

    data = yaml.safe_load(text)
    assert isinstance(data, dict) and data, f"{where}: not a mapping"
    if "jobs" in data:  # a CI workflow: the newsdigest commands it runs exist
        runs = [
            step["run"]
            for job in data["jobs"].values()
            for step in job["steps"]
            if "run" in step
        ]
        shown = re.findall(
            r"(?m)^(?:timeout \S+ )?(newsdigest [^|&;>\n]*)", "\n".join(runs)
        )
        assert shown, f"{where}: a workflow that runs no newsdigest command"
        for command in shown:
            check_command(shlex.split(command))
        return
    if set(data) <= {"archive_url", "archive_date"}:  # front matter an item gains
        front = "".join(f"{k}: {v}\n" for k, v in data.items())
        text = f"---\n{ITEM_FRONT}{front}---\nBody.\n"
        topics, _ = load_topics(REPO / "content" / "topics.yml", "topics.yml")
        checked = validate_item(
            split(text, where), topics, timezone="UTC", authority="example.org,2026"
        )
        assert not checked.problems, f"{where}: " + "; ".join(
            map(str, checked.problems)
        )
        return
    path = tmp_path / "example.yml"
    path.write_text(text)
    first = next(iter(data.values()))
    if "feed" in first or "homepage" in first:
        topics, _ = load_topics(REPO / "content" / "topics.yml", "topics.yml")
        _, problems = load_sources(path, "sources.yml", topics)
    else:
        _, problems = load_topics(path, "topics.yml")
    assert not problems, f"{where}: " + "; ".join(map(str, problems))


@pytest.mark.parametrize(
    ("where", "text"), blocks("markdown"), ids=lambda v: str(v)[:40]
)
def test_every_front_matter_example_is_valid(
    where: str, text: str, tmp_path: Path
) -> None:
    from newsdigest.editions.notes import read_note
    from newsdigest.model.schema import validate_item

    if not text.startswith("---\n"):
        return  # a body fragment, shown inside an item
    if "\ntopic:" in text:
        topics, _ = load_topics(REPO / "content" / "topics.yml", "topics.yml")
        checked = validate_item(
            split(text, where), topics, timezone="UTC", authority="example.org,2026"
        )
        problems = checked.problems
    else:
        path = tmp_path / "2022-W04.md"
        path.write_text(text)
        _, problems = read_note(path, where, "weekly")
    errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
    assert not errors, f"{where}: " + "; ".join(map(str, errors))


def test_the_docs_have_examples_of_each_kind():
    """The checks above run on something: the docs keep their examples."""
    assert len(blocks("sh")) >= 5 and blocks("python") and blocks("yaml")
    assert len(blocks("markdown")) >= 3

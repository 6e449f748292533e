"""Shared fixtures: throwaway newsdigest projects built with the real Pelican.

A project is a temporary copy of this repository's settings (the theme is the
packaged one), with either the committed sample content or items written by the
test. Builds run
as subprocesses with the clock, timezone and locale pinned, exactly as
`pelican content -s pelicanconf.py` runs for a curator.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from newsdigest.build import run_pelican

REPO = Path(__file__).resolve().parents[1]
PINNED_ENV = {
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "SOURCE_DATE_EPOCH": "1643673600",  # 2022-02-01T00:00:00Z
    "PYTHONHASHSEED": "0",
}
TOPICS = """\
world:
  name: World
  description: Stories from everywhere.
  order: 1
science:
  name: Science
  description: Research and discovery.
  order: 2
"""


def item(**fields: object) -> str:
    """An item file from front matter fields (YAML-dumped) and an optional body."""
    import yaml

    body = fields.pop("body", 'Our summary of the story.\n\n> "A key quote."\n')
    front = {
        "title": "A story",
        "date": "2022-01-05T10:00:00+00:00",
        "topic": "world",
        "summary": "One sentence in our words.",
        "source": "Example Wire",
        "source_url": "https://example.com/story",
    }
    front.update(fields)
    front = {k: v for k, v in front.items() if v is not None}
    return (
        "---\n"
        + yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
        + "---\n"
        + str(body)
    )


class Project:
    """A site project in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def output(self) -> Path:
        return self.root / "output"

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text)
        return path

    def build(
        self,
        settings: str = "pelicanconf.py",
        env: dict[str, str] | None = None,
        **overrides,
    ) -> subprocess.CompletedProcess[str]:
        return run_pelican(
            self.root, settings, overrides=overrides, env={**PINNED_ENV, **(env or {})}
        )

    def page(self, relative: str) -> str:
        return (self.output / relative).read_text(encoding="utf-8")


def _copy_project(root: Path, with_sample_content: bool) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    for name in ("pelicanconf.py", "publishconf.py", "tasks.py"):
        shutil.copy(REPO / name, root / name)
    if with_sample_content:
        shutil.copytree(REPO / "content", root / "content")
    else:
        (root / "content" / "items").mkdir(parents=True)
        (root / "content" / "pages").mkdir()
        (root / "content" / "topics.yml").write_text(TOPICS)
    return Project(root)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """Factory: an empty project (two topics, no items) or one with sample content."""
    counter = iter(range(100))

    def factory(sample: bool = False) -> Project:
        return _copy_project(tmp_path / f"project{next(counter)}", sample)

    return factory


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The committed sample digest, built once per test session with pinned settings."""
    project = _copy_project(tmp_path_factory.mktemp("sample"), True)
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def tree(root: Path, *, reproducible: bool = False) -> dict[str, str]:
    """Every file under ``root`` by its sha256, to compare two builds.

    ``reproducible`` leaves out ``pagefind/``: Pagefind names its filter files
    anew on every indexing run, so two builds that index the same pages differ
    there, and only there (newsdigest reuses an index while nothing changed)."""
    import hashlib

    root = root.resolve()
    files = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and not (reproducible and name.startswith("pagefind/")):
            files[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files

"""Shared fixtures: throwaway newsdigest projects built with the real Pelican.

A project is a temporary copy of this repository's settings (the theme is the
packaged one), with either the committed sample content or items written by the
test. Builds run as subprocesses with the clock, timezone and locale pinned,
exactly as `pelican content -s pelicanconf.py` runs for a curator. Plain helpers
are in ``tests/helpers.py``; test modules import from there, never from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    Project,
    RouteServer,
    copy_project,
    item,
    output_of,
    serve_folder,
    serve_routes,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from this build instead of comparing with it "
        "(the same as NEWSDIGEST_UPDATE_GOLDEN=1)",
    )


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """Factory: an empty project (two topics, no items) or one with sample content."""
    counter = iter(range(100))

    def factory(sample: bool = False) -> Project:
        return copy_project(tmp_path / f"project{next(counter)}", sample)

    return factory


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The committed sample digest, built once per test session with pinned settings."""
    project = copy_project(tmp_path_factory.mktemp("sample"), True)
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture
def published(make_project: Callable[..., Project]) -> Project:
    """A project with five items, built once: output/ is the published site."""
    project = make_project()
    for n in range(5):
        project.write(
            f"content/items/story-{n}.md",
            item(title=f"Story {n}", source_url=f"https://example.com/{n}"),
        )
    result = project.build()
    assert result.returncode == 0, output_of(result)
    return project


@pytest.fixture
def http_server() -> Iterator[RouteServer]:
    """A fresh route server per test on a free port of 127.0.0.1."""
    with serve_routes() as server:
        yield server


@pytest.fixture(scope="module")
def server(sample_site: Project) -> Iterator[str]:
    """The built sample digest over HTTP on 127.0.0.1 (its base URL)."""
    with serve_folder(sample_site.output.resolve()) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (browser tests only)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()

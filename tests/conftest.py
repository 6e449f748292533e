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


# --- The fast loop stays fast -------------------------------------------------------
# `pytest -m "not slow"` is the inner loop. A test that builds a site, starts a
# server (anything that listens on a socket), runs Pelican, a browser or Hugo is
# slow, and must say so: unmarked, it fails with the reason, so the inner loop
# cannot silently grow. Browser tests are slow by definition.

_RUNNING: list[pytest.Item] = []
#: Words in a subprocess's command line that make it whole-site work.
_SLOW_PROGRAMS = {"pelican", "invoke", "chromium", "hugo", "unshare", "rsync"}
_SLOW_NEWSDIGEST = {"check", "deploy", "send-edition"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for test in items:
        if test.get_closest_marker("browser"):
            test.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _RUNNING.append(item)
    try:
        return (yield)
    finally:
        _RUNNING.pop()


def _needs_slow_mark(what: str) -> None:
    """Note that the running test does slow work; it fails when it ends (failing
    here could be inside a server's thread, where the test would wait forever)."""
    test = _RUNNING[-1] if _RUNNING else None
    if test is not None and not test.get_closest_marker("slow"):
        test.stash.setdefault(_SLOW_WORK, []).append(what)
    for fixture in _SETTING_UP:
        _FIXTURE_WORK.setdefault(id(fixture), set()).add(what)


_SLOW_WORK = pytest.StashKey[list[str]]()
#: What each fixture did while it was set up (by fixture definition): a test
#: that uses a site built once per module or session depends on that build too.
_FIXTURE_WORK: dict[int, set[str]] = {}
_SETTING_UP: list[object] = []


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object], request: object):
    _SETTING_UP.append(fixturedef)
    try:
        return (yield)
    finally:
        _SETTING_UP.pop()


def _slow_work_of(item: pytest.Item) -> set[str]:
    done = set(item.stash.get(_SLOW_WORK, []))
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else ():
        for fixture in defs:
            done |= _FIXTURE_WORK.get(id(fixture), set())
    return done


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when != "teardown" or not report.passed:
        return report
    done = _slow_work_of(item) if not item.get_closest_marker("slow") else set()
    if done:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} {', '.join(sorted(set(done)))}: mark it "
            '@pytest.mark.slow (the inner loop, `pytest -m "not slow"`, runs only '
            "tests that do none of this)"
        )
    return report


def _slow_command(args: object) -> str | None:
    words = [args] if isinstance(args, (str, bytes)) else list(args)  # type: ignore[call-overload]
    names = [Path(str(w)).name for w in words]
    for index, name in enumerate(names):
        if name in _SLOW_PROGRAMS:
            return name
        if (
            name == "newsdigest"
            and set(names[index + 1 : index + 2]) & _SLOW_NEWSDIGEST
        ):
            return f"newsdigest {names[index + 1]}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    import socket
    import subprocess

    listen, popen_init = socket.socket.listen, subprocess.Popen.__init__

    def guarded_listen(self, *args, **kwargs):
        _needs_slow_mark("starts a server")
        return listen(self, *args, **kwargs)

    def guarded_popen(self, args, *rest, **kwargs):
        program = _slow_command(args)
        if program:
            _needs_slow_mark(f"runs {program}")
        return popen_init(self, args, *rest, **kwargs)

    socket.socket.listen = guarded_listen  # type: ignore[method-assign]
    subprocess.Popen.__init__ = guarded_popen  # type: ignore[method-assign]
    try:
        from pelican import Pelican
    except ImportError:
        return
    run = Pelican.run

    def guarded_run(self):
        _needs_slow_mark("builds a site")
        return run(self)

    Pelican.run = guarded_run  # type: ignore[method-assign]

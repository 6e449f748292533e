"""The house rules, enforced: plugins never import each other, library modules
never import Pelican, and every feature's settings are merged once per build.

Plugin modules are the ones that define ``register()`` (Pelican's plugin
entry point); tool modules run Pelican on purpose (the command line, the
in-process build, ``newsdigest init``); everything else is the library.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import pkgutil
import sys
from collections import Counter
from pathlib import Path

import pytest

import newsdigest
from newsdigest import settings as settings_module
from tests.helpers import PINNED_ENV, item

SRC = Path(newsdigest.__file__).parent
#: Modules that run Pelican or read its settings files: allowed to import it.
TOOLS = {
    "newsdigest.cli",
    "newsdigest.commands",
    "newsdigest.engine.run",
    "newsdigest.scaffold",
    "newsdigest.engine.devserver",
}


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name (skeleton files excluded)."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC.parent).with_suffix("")
        if "skeleton" in relative.parts or "themes" in relative.parts:
            continue
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def defines_register(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.FunctionDef) and node.name == "register"
        for node in tree.body
    )


def imported_modules(tree: ast.Module) -> set[str]:
    """Every module an import statement names, at any depth (also inside
    functions: a lazy import is still an import)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


MODULES = module_files()
TREES = {name: parse(path) for name, path in MODULES.items()}
PLUGINS = {name for name, tree in TREES.items() if defines_register(tree)}
LIBRARY = set(MODULES) - PLUGINS - TOOLS


def test_the_plugin_modules_are_the_ones_that_register():
    """... and they are the modules of ``newsdigest.plugins``, nothing else."""
    in_package = {name for name in MODULES if name.startswith("newsdigest.plugins.")}
    assert in_package == PLUGINS
    assert {
        f"newsdigest.plugins.{name}"
        for name in (
            "reader",
            "schedule",
            "links",
            "sources",
            "feeds",
            "editions",
            "discovery",
            "search",
            "aliases",
            "theme",
            "writer",
            "publish",
        )
    } == PLUGINS


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
def test_no_plugin_imports_another_plugin(plugin):
    others = PLUGINS - {plugin}
    imported = imported_modules(TREES[plugin])
    assert sorted(imported & others) == []


@pytest.mark.parametrize("module", sorted(LIBRARY))
def test_no_library_module_imports_pelican(module):
    imported = imported_modules(TREES[module])
    pelican = [n for n in imported if n == "pelican" or n.startswith("pelican.")]
    assert sorted(pelican) == []


def test_the_rules_see_an_offending_import():
    """The checks above would fail on the imports they forbid."""
    tree = ast.parse(
        "def f():\n    from pelican.utils import slugify\n"
        "import newsdigest.plugins.feeds\nfrom newsdigest.plugins.publish import x\n"
        "def register():\n    pass\n"
    )
    assert defines_register(tree)
    expected = {
        "pelican.utils",
        "newsdigest.plugins.feeds",
        "newsdigest.plugins.publish",
    }
    assert expected <= imported_modules(tree)


# --- Settings merged once per build ----------------------------------------------

FEATURES = [
    "DIGEST_CONTENT",
    "DIGEST_FEEDS",
    "DIGEST_DISCOVERY",
    "DIGEST_SEARCH",
    "DIGEST_SCHEDULE",
    "DIGEST_EDITIONS",
    "DIGEST_PUBLISH",
    "DIGEST_ARCHIVE",
]


@pytest.fixture
def merge_calls(monkeypatch) -> Counter[str]:
    """Count ``settings.merge`` calls by setting name, wherever it was imported."""
    for info in pkgutil.walk_packages(newsdigest.__path__, "newsdigest."):
        if ".skeleton" not in info.name and info.name not in (
            "newsdigest.__main__",
            "newsdigest.sitecheck.__main__",
        ):
            importlib.import_module(info.name)
    original = settings_module.merge
    calls: Counter[str] = Counter()

    def spy(name, defaults, settings, report):
        calls[name] += 1
        return original(name, defaults, settings, report)

    for name, module in list(sys.modules.items()):
        if name.startswith("newsdigest") and getattr(module, "merge", None) is original:
            monkeypatch.setattr(module, "merge", spy)
    return calls


def small_site(make_project):
    project = make_project()
    project.write("content/items/a.md", item(title="Alpha", tags=["NATO"]))
    project.write(
        "content/items/b.md",
        item(
            title="Beta",
            date="2022-01-12T10:00:00+00:00",
            source_url="https://example.com/beta",
            tags=["nato"],
        ),
    )
    return project


@pytest.mark.slow
def test_every_feature_is_merged_once_per_build(make_project, merge_calls, monkeypatch):
    from pelican import Pelican
    from pelican.settings import read_settings

    for key, value in PINNED_ENV.items():
        monkeypatch.setenv(key, value)
    project = small_site(make_project)
    with contextlib.chdir(project.root):
        settings = read_settings(
            "publishconf.py", override={"DIGEST_SEARCH": {"enabled": False}}
        )
        Pelican(settings).run()
    assert (project.root / "output" / "index.html").is_file()  # publishconf's
    assert {name: merge_calls[name] for name in FEATURES} == dict.fromkeys(FEATURES, 1)
    assert set(merge_calls) == set(FEATURES)


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if not m.endswith("__main__"))
)
def test_every_module_imports(module):
    """A plugin that fails to import is only logged by Pelican: the import itself
    is checked here, for every module, so a broken name fails fast."""
    importlib.import_module(module)

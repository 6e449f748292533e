"""A planted read-cache entry cannot put markup or metadata on the site, and the
page checks refuse markup that reaches a page some other way.

CACHE_PATH may be restored from a CI cache anyone with a pull request can
write; an entry built only from the classes the unpickler allows still carries
any strings. Each attack below rewrites the cached result of one item and runs
a production build: the item must come back as its source file says, on its
page and in every feed, and nothing of the payload may be published.
"""

from __future__ import annotations

import html
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsdigest.engine.readcache import FOLDER
from newsdigest.problems import WARNING, Problem
from tests.helpers import (
    TRACEBACK,
    Project,
    html_dangers,
    item,
    output_of,
    parse_html,
    tree,
)

PRODUCTION = "publishconf.py"
PAGE = "2022/01/a-story/index.html"
MARKERS = ("evil.example", "alert(", "position:fixed", "PWNED")


def _body(extra: str) -> Callable[[tuple], tuple]:
    def tamper(result: tuple) -> tuple:
        kind, body, values, problems, lines = result
        return (kind, body + extra, values, problems, lines)

    return tamper


def _values(**changes: Any) -> Callable[[tuple], tuple]:
    def tamper(result: tuple) -> tuple:
        kind, body, values, problems, lines = result
        return (kind, body, {**values, **changes}, problems, lines)

    return tamper


def _skipped(result: tuple) -> tuple:
    """Skipped for a warning only: the item would silently vanish."""
    warning = Problem("content/items/a.md", 2, "title", "PWNED", "", WARNING)
    return ("skip", [warning])


ATTACKS: dict[str, Callable[[tuple], tuple]] = {
    "skipped without an error": _skipped,
    "script src": _body('<script src="https://evil.example/x.js"></script>'),
    "iframe": _body('<iframe src="https://evil.example/frame"></iframe>'),
    "onerror": _body(
        '<img src="https://evil.example/i.png" alt="" onerror="alert(1)">'
    ),
    "style": _body('<p style="position:fixed;inset:0">PWNED log in</p>'),
    "javascript link": _body('<a href="javascript:alert(1)">PWNED</a>'),
    "closes the body wrapper": _body(
        '</div><script src="https://evil.example/y.js"></script><div>'
    ),
    "image without alt": _body('<img src="https://evil.example/i.png">'),
    "title not a string": _values(title=12345),
    "a Pelican key": _values(save_as="../PWNED.html"),
    "javascript source_url": _values(source_url="javascript:alert(1)"),
    "topic not a Topic": _values(topic="world"),
    "tags not strings": _values(tags=["ok", 7]),
    "javascript image": _values(
        image={"src": "javascript:alert(1)", "alt": "PWNED", "external": True}
    ),
}


def published_text(project: Project) -> str:
    """Every built text file (pages, feeds, sitemaps, search data), entities
    decoded twice (a feed carries HTML escaped)."""
    texts = []
    for path in sorted(project.output.resolve().rglob("*")):
        if path.is_file() and path.suffix not in (".gz", ".br", ".png", ".pf_index"):
            text = path.read_bytes().decode("utf-8", errors="ignore")
            texts.append(html.unescape(html.unescape(text)))
    return "\n".join(texts)


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path, bytes]:
    """A site of one item built for production, and its read-cache entry."""
    from tests.helpers import copy_project

    project = copy_project(tmp_path_factory.mktemp("trust") / "site", False)
    project.write("content/items/a.md", item())
    result = project.build(PRODUCTION)
    assert result.returncode == 0, output_of(result)
    (entry,) = (project.root / "cache" / FOLDER).rglob("*.pickle")
    return project, entry, entry.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_planted_cache_entry_publishes_nothing_of_its_own(
    cached: tuple[Project, Path, bytes], attack: str
) -> None:
    project, path, pristine = cached
    entry = pickle.loads(pristine)
    entry.result = ATTACKS[attack](entry.result)
    path.write_bytes(pickle.dumps(entry))

    result = project.build(PRODUCTION)

    assert result.returncode == 0, output_of(result)
    assert TRACEBACK not in output_of(result)
    page = project.page(PAGE)
    assert "Our summary of the story." in page
    assert "<title>A story" in page
    assert html_dangers(parse_html(page), PAGE) == []
    published = published_text(project)
    assert "Our summary of the story." in published  # the feeds carry the body
    assert not [marker for marker in MARKERS if marker in published]
    assert not list(project.root.rglob("PWNED*"))
    # The planted entry was replaced by what the source reads as.
    assert pickle.loads(path.read_bytes()).result == pickle.loads(pristine).result


INJECTOR = '''
"""A plugin that adds markup to every item's body after the sanitiser ran."""
from pelican import signals


def inject(content):
    if getattr(content, "_content", None):
        content._content += {markup!r}


def register():
    signals.content_object_init.connect(inject)
'''


@pytest.mark.slow
@pytest.mark.parametrize(
    ("markup", "found"),
    [
        ('<script src="https://evil.example/x.js"></script>', "<script src="),
        ('<iframe src="https://evil.example/"></iframe>', "<iframe> element"),
        ('<p style="color:red">x</p>', "style attribute"),
    ],
    ids=["script", "iframe", "style"],
)
def test_markup_injected_into_a_body_is_refused_and_the_site_stays(
    make_project: Callable[..., Project], markup: str, found: str
) -> None:
    project = make_project()
    project.write("content/items/a.md", item())
    assert project.build(PRODUCTION).returncode == 0
    before = tree(project.output)
    project.write("injector.py", INJECTOR.format(markup=markup))
    conf = project.root / "pelicanconf.py"
    conf.write_text(conf.read_text() + '\nPLUGINS = [*PLUGINS, "injector"]\n')

    result = project.build(PRODUCTION)

    text = output_of(result)
    assert result.returncode == 1, text
    assert TRACEBACK not in text
    assert found in text
    assert "(from content/items/a.md)" in text
    assert "Fix:" in text or "fix:" in text
    assert tree(project.output) == before

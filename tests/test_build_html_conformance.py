"""Every page passes the HTML5 parsing rules (html5lib), on every template branch.

A build checks each page with libxml2 as it writes it, which catches stray and
mismatched tags cheaply; the full HTML5 parser is too slow to run on every page
of every build, so it runs here: over the sample digest and over a fixture
whose items take every branch of the templates (all optional fields, hidden and
draft items, a topic, tag and source without a page, pagination, an empty
topic, archive neighbours), built for development and for production.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsdigest.sitecheck.page import html5lib_errors
from tests import helpers
from tests.helpers import REPO, Project, copy_project, item

pytestmark = pytest.mark.slow

# The fixture's topics plus one that no item uses (a topic without a page).
TOPICS = (
    helpers.TOPICS
    + """\
empty:
  name: Empty
  description: A topic without stories.
  order: 3
"""
)
BODY = """\
Our summary, with a footnote[^1] and a [link](https://example.com/more "More").

| Year | Value |
|------|-------|
| 2021 | 1     |

Term
: Definition.

> "A key quote."

    code block

![A chart](https://images.example.com/chart.png)

[^1]: The footnote.
"""


def every_branch(project: Project) -> None:
    project.write("content/topics.yml", TOPICS)
    shutil.copy(REPO / "content/images/harbour.svg", project.content / "harbour.svg")
    (project.content / "images").mkdir()
    shutil.move(project.content / "harbour.svg", project.content / "images")
    project.write(
        "content/items/full.md",
        item(
            title="Every field",
            slug="every-field",
            date="2022-01-05T10:00:00+00:00",
            source_date="2021-12-30",
            authors=["Ana Writer", "Ben Writer"],
            label="opinion",
            lang="fr",
            updated="2022-01-06T09:00:00+00:00",
            corrections=[
                {"date": "2022-01-06", "text": "A name was misspelt."},
                {"date": "2022-01-07", "text": "A date was wrong."},
            ],
            image={"src": "images/harbour.svg", "alt": "A harbour", "credit": "Us"},
            tags=["Alpha", "Beta"],
            source_url="https://example.com/full",
            body=BODY,
        ),
    )
    project.write(
        "content/items/external.md",
        item(
            title="External image",
            date="2021-12-20T10:00:00+00:00",
            label="analysis",
            authors="One Writer",
            image={"src": "https://images.example.com/a.jpg", "alt": "A picture"},
            source_url="https://example.com/external",
        ),
    )
    project.write(
        "content/items/hidden.md",
        item(
            title="Hidden",
            status="hidden",
            topic="science",
            tags=["Gamma"],
            source="Hidden Outlet",
            source_url="https://example.com/hidden",
        ),
    )
    project.write(
        "content/items/draft.md",
        item(title="Draft", status="draft", source_url="https://example.com/draft"),
    )
    for n in range(12):
        project.write(
            f"content/items/story-{n}.md",
            item(
                title=f"Story {n}",
                date=f"2022-01-{10 + n:02d}T10:00:00+00:00",
                tags=["Alpha"],
                source_url=f"https://example.com/story/{n}",
            ),
        )
    project.write(
        "content/pages/about.md",
        "---\ntitle: About\nslug: about\nlang: de\n---\nWho we are.\n",
    )


@pytest.fixture(scope="module")
def branch_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The every-branch fixture built for development and for production."""
    sites = {}
    for name, settings, overrides in (
        ("development", "pelicanconf.py", {}),
        (
            "production",
            "publishconf.py",
            {"DIGEST_FEEDS": {"per_source": True}},
        ),
    ):
        project = copy_project(tmp_path_factory.mktemp(name), False)
        every_branch(project)
        result = project.build(settings, **overrides)
        assert result.returncode == 0, result.stdout + result.stderr
        sites[name] = project.output.resolve()
    return sites


def html5_problems(site: Path) -> list[str]:
    found = []
    for page in sorted(site.rglob("*.html")):
        for line, _code, message in html5lib_errors(page.read_text("utf-8")):
            found.append(f"{page.relative_to(site)}:{line}: {message}")
    return found


def test_sample_digest_pages_follow_html5_parsing_rules(sample_site: Project) -> None:
    site = sample_site.output.resolve()
    assert len(list(site.rglob("*.html"))) > 50
    assert html5_problems(site) == []


@pytest.mark.parametrize("build", ["development", "production"])
def test_every_template_branch_follows_html5_parsing_rules(
    branch_sites: dict[str, Path], build: str
) -> None:
    assert html5_problems(branch_sites[build]) == []


def test_the_fixture_takes_the_branches_it_claims(
    branch_sites: dict[str, Path],
) -> None:
    dev, prod = branch_sites["development"], branch_sites["production"]
    # lang: fr keeps the usual address (not Pelican's every-field-fr.html)
    (full_page,) = dev.glob("**/every-field/index.html")
    full = full_page.read_text()
    for expected in (
        'lang="fr"',
        "Corrections",
        "<figcaption>",
        "By Ana Writer, Ben Writer",
        "updated",
    ):
        assert expected in full
    hidden = (dev / "2022/01/hidden/index.html").read_text()
    assert 'href="../../../topics/science/"' not in hidden  # topic without a page
    assert (dev / "topics/world/page/2/index.html").is_file()
    assert (dev / "tags/alpha/page/2/index.html").is_file()
    assert "Empty" in (dev / "topics/index.html").read_text()
    assert (dev / "drafts/draft/index.html").is_file()
    assert (dev / "archive/2021/12/index.html").is_file()
    assert 'rel="canonical"' in (prod / "index.html").read_text()
    assert (prod / "feeds/sources/example-wire.atom.xml").is_file()

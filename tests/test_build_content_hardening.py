"""Content that reaches the site through Pelican, built with the real Pelican.

Hostile or careless content must not publish files from outside ``content/``,
must not smuggle scripts past the sanitiser (even with every site check off),
and must be refused at the item's file and line, never by a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from newsdigest.engine.run import pelican_command
from newsdigest.model.sanitize import render_markdown
from tests.helpers import (
    LINK_PAYLOADS,
    PINNED_ENV,
    REPO,
    TRACEBACK,
    Project,
    copy_project,
    html_dangers,
    item,
    output_of,
    parse_html,
    parse_report,
)

OVERRIDES = {"DIGEST_FEEDS": {"base_url": "https://digest.example.org/"}}
CHECKS_OFF = {**OVERRIDES, "DIGEST_PUBLISH": {"checks": [], "max_page_loss": 1.0}}
SECRET = "SECRET-7f3a-DO-NOT-PUBLISH"


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def files_containing(root: Path, marker: str) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if marker.encode() in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


# --- 1. File disclosure through link prefixes --------------------------------------


@pytest.fixture
def secret_project(tmp_path: Path) -> Project:
    """A sample project with secrets beside content/ and above the project."""
    project = copy_project(tmp_path / "site" / "project", True)
    (tmp_path / "site" / "secret.txt").write_text(SECRET)
    project.write("notes.txt", SECRET)
    settings = project.root / "publishconf.py"
    settings.write_text(settings.read_text() + f"\n# {SECRET}\n")
    return project


DISCLOSING_LINKS = [
    "[a]({attach}../../notes.txt)",
    "[b]({static}../../notes.txt)",
    "[c]({static}/../notes.txt)",
    "[d]({static}../../../secret.txt)",
    "[e]({static}/../../secret.txt)",
    "[f]({filename}../../publishconf.py)",
    "[g](|static|../../notes.txt)",
    "[h]({attach}/../notes.txt)",
    '<a href="{static}../../../secret.txt">i</a>',
    "[j](&#123;static}../../notes.txt)",
    "[k]({static}%2e%2e/%2e%2e/notes.txt)",
    "[l]({static}..\\..\\notes.txt)",
    "[m]({static}../../pelicanconf.py)",
    "[n]({static}../../../../../../../../etc/hostname)",
]


@pytest.mark.slow
@pytest.mark.parametrize("checks", [OVERRIDES, CHECKS_OFF], ids=["checks", "no-checks"])
def test_links_cannot_publish_files_outside_content(
    secret_project: Project, tmp_path: Path, checks: dict
) -> None:
    before = tree(tmp_path)
    body = "Intro.\n\n" + "\n\n".join(DISCLOSING_LINKS) + "\n"
    secret_project.write(
        "content/items/leak.md",
        item(topic="economy", source_url="https://example.com/leak", body=body),
    )
    result = secret_project.build(**checks)
    out = output_of(result)

    assert result.returncode != 0, out
    assert TRACEBACK not in out
    lines = sorted(
        p.line for p in parse_report(out) if p.path == "content/items/leak.md"
    )
    # One problem per link, each at its own line (body starts on line 9).
    assert lines == [11 + 2 * i for i in range(len(DISCLOSING_LINKS))], out
    # Nothing was built; nothing new outside the project; no copy of a secret.
    assert not secret_project.output.exists()
    assert all(
        (tmp_path / new).is_relative_to(secret_project.root)
        for new in tree(tmp_path) - before
    )
    assert set(files_containing(tmp_path, SECRET)) == {
        tmp_path / "site" / "secret.txt",
        secret_project.root / "notes.txt",
        secret_project.root / "publishconf.py",
    }


def test_pelican_copies_only_images_from_static_folders(tmp_path: Path) -> None:
    """The last line of defence: whatever Pelican is about to copy is checked."""
    from types import SimpleNamespace

    from newsdigest.model.site import static_problems

    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "ok.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    (tmp_path / "secret.txt").write_text(SECRET)
    settings = {"PATH": str(content), "STATIC_PATHS": ["images"]}
    statics = [
        SimpleNamespace(source_path=str(content / "images" / "ok.svg")),
        SimpleNamespace(source_path=str(content / ".." / "secret.txt")),
        SimpleNamespace(source_path="/etc/hostname"),
    ]
    problems = static_problems(statics, settings)
    assert [
        (os.path.normpath(p.path), "outside content/" in p.message) for p in problems
    ] == [(str(tmp_path / "secret.txt"), True), ("/etc/hostname", True)]


# --- 2. javascript: through the rewriting, with every check off --------------------


def pelican_article(html: str, source: Path) -> Article:
    settings = dict(DEFAULT_CONFIG, PATH=str(source.parent.parent), RELATIVE_URLS=True)
    return Article(
        html,
        metadata={"title": "T", "date": dt.datetime(2022, 1, 5)},
        settings=settings,
        source_path=str(source),
        context={"generated_content": {}, "static_content": {}, "localsiteurl": ""},
    )


@pytest.mark.parametrize("payload", [p for p, _ in LINK_PAYLOADS.values()])
def test_sanitised_body_stays_safe_after_pelicans_rewriting(
    payload: str, tmp_path: Path
) -> None:
    html = render_markdown(f"Intro.\n\n{payload}\n")
    article = pelican_article(html, tmp_path / "content" / "items" / "x.md")
    rewritten = article.get_content("")
    assert html_dangers(parse_html(rewritten), payload) == []
    # Only plain paths under {static} reach Pelican's copier; the reader checks
    # each one's file before anything is built.
    for link in article.get_static_links():
        assert not re.search(r"[%&\\:]", link), link


@pytest.mark.slow
@pytest.mark.parametrize(
    "payload",
    [
        "[x]({}javascript:alert(1))",
        "[y](|window|javascript:alert(1))",
        "[z]({static}javascript:alert(1))",
        "![i]({}javascript:alert(1))",
    ],
)
def test_smuggled_javascript_is_refused_at_the_item_with_checks_off(
    make_project, payload: str
) -> None:
    project = make_project()
    project.write("content/items/good.md", item(source_url="https://example.com/g"))
    project.write(
        "content/items/bad.md",
        item(source_url="https://example.com/b", body=f"Intro.\n\n{payload}\n"),
    )
    result = project.build(**CHECKS_OFF)
    out = output_of(result)
    assert result.returncode != 0, out
    assert TRACEBACK not in out
    assert [(p.path, p.line, p.field) for p in parse_report(out)] == [
        ("content/items/bad.md", 11, "body")
    ]
    assert not project.output.exists()


@pytest.mark.slow
def test_allowed_site_links_build_and_resolve_with_checks_off(make_project) -> None:
    project = make_project(sample=True)
    project.write(
        "content/items/links.md",
        item(
            topic="economy",
            slug="links",
            source_url="https://example.com/links",
            body="See ![the harbour]({static}/images/harbour.svg), the "
            "[wetlands]({static}../images/wetlands.svg) and [about us]"
            "({filename}/pages/about.md).\n",
        ),
    )
    result = project.build(**CHECKS_OFF)
    assert result.returncode == 0, output_of(result)
    page = project.page("2022/01/links/index.html")
    assert '<img alt="the harbour" src="../../../images/harbour.svg">' in page
    assert 'href="../../../images/wetlands.svg"' in page
    assert 'href="../../../about/"' in page
    assert html_dangers(parse_html(page), "links") == []


# --- 3. Static files -------------------------------------------------------------


@pytest.mark.slow
def test_sample_images_pass_and_a_scripted_svg_is_refused(make_project) -> None:
    project = make_project(sample=True)
    project.write(
        "content/images/evil.svg",
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    )
    project.write("content/images/page.html", "<script>alert(1)</script>")
    result = project.build(**CHECKS_OFF)
    out = output_of(result)
    assert result.returncode != 0
    assert TRACEBACK not in out
    assert sorted(p.path for p in parse_report(out)) == [
        "content/images/evil.svg",
        "content/images/page.html",
    ]
    assert not project.output.exists()


# --- 12, 14, 15: addresses, blame, tracebacks ----------------------------------------


@pytest.mark.slow
def test_a_long_multibyte_title_gets_a_short_address(make_project) -> None:
    project = make_project()
    title = "Überraschende Ergebnisse der Übergangsregierung " * 6  # ~300 bytes
    project.write("content/items/long.md", item(title=title.strip()))
    result = project.build(**OVERRIDES)
    assert result.returncode == 0, output_of(result)
    (folder,) = (project.output / "2022" / "01").iterdir()
    assert len(folder.name.encode()) <= 150
    assert folder.name.startswith("uberraschende-ergebnisse-der-ubergangsregierung-")
    assert not folder.name.endswith("-")


@pytest.mark.slow
def test_body_image_path_is_blamed_on_the_item(make_project) -> None:
    project = make_project()
    project.write(
        "content/items/pic.md",
        item(body="Intro.\n\n![the harbour](images/harbour.svg)\n"),
    )
    result = project.build(**OVERRIDES)
    out = output_of(result)
    assert result.returncode != 0
    (problem,) = parse_report(out)
    assert (problem.path, problem.line, problem.field) == (
        "content/items/pic.md",
        11,
        "body",
    )
    assert "{static}/images/" in problem.fix


@pytest.mark.slow
def test_the_documented_body_image_example_builds(make_project) -> None:
    guide = (REPO / "docs" / "writing.md").read_text(encoding="utf-8")
    example = re.search(r"!\[[^\]]+\]\(\{static\}[^)\s]+\)", guide)
    assert example, "docs/writing.md shows how to put an image in a body"
    project = make_project(sample=True)
    project.write(
        "content/items/readme.md",
        item(
            topic="economy",
            slug="readme",
            source_url="https://example.com/readme",
            body=f"Intro.\n\n{example.group()}\n",
        ),
    )
    result = project.build(**OVERRIDES)  # every site check on
    assert result.returncode == 0, output_of(result)
    assert "<img" in project.page("2022/01/readme/index.html")


@pytest.mark.slow
def test_symlink_loop_is_one_problem(make_project) -> None:
    project = make_project()
    project.write("content/items/a.md", item())
    os.symlink("..", project.content / "items" / "loop")
    result = project.build(**OVERRIDES)
    out = output_of(result)
    assert result.returncode != 0
    assert TRACEBACK not in out
    assert [(p.path, "symbolic link" in p.message) for p in parse_report(out)] == [
        ("content/items/loop", True)
    ]


@pytest.mark.slow
def test_unknown_timezone_is_one_clear_problem(make_project) -> None:
    project = make_project()
    project.write("content/items/a.md", item())
    result = project.build(TIMEZONE="Mars/Olympus_Mons", **OVERRIDES)
    out = output_of(result)
    assert result.returncode != 0
    assert TRACEBACK not in out
    assert "[TIMEZONE]: 'Mars/Olympus_Mons' is not a known time zone." in out


@pytest.mark.slow
def test_project_reached_through_a_symlinked_path_builds(make_project, tmp_path):
    project = make_project()
    project.write("content/items/a.md", item(slug="a"))
    project.write("content/pages/about.md", "---\ntitle: About\n---\nUs.\n")
    link = tmp_path / "linked-project"
    link.symlink_to(project.root, target_is_directory=True)
    command = pelican_command(
        link / "pelicanconf.py", content=str(link / "content"), overrides=OVERRIDES
    )
    result = subprocess.run(
        command,
        cwd=link,
        env={**os.environ, **PINNED_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, output_of(result)
    assert (project.output / "about" / "index.html").is_file()
    assert (project.output / "2022" / "01" / "a" / "index.html").is_file()


@pytest.mark.slow
def test_file_names_cannot_forge_report_lines(make_project) -> None:
    """A newline in a file name would print a line of its own in the report;
    bytes that are not UTF-8 cannot be shown or served. One problem each."""
    project = make_project()
    project.write("content/items/good.md", item())
    forged = "x.md\n    line 1 [title]: looks fine"
    project.write(f"content/items/{forged}.md", item(source_url="https://e.com/f"))
    project.write("content/images/x\x1b.png", b"\x89PNG\r\n\x1a\n")
    raw = os.fsencode(project.content / "items") + b"/latin-\xe9.md"
    Path(os.fsdecode(raw)).write_text(item(source_url="https://e.com/l"))
    result = project.build(**OVERRIDES)
    out = output_of(result)
    assert result.returncode != 0
    assert TRACEBACK not in out
    assert not any(
        line.startswith("    line 1 [title]: looks") for line in out.splitlines()
    )
    assert "content/items/x.md\\u000a    line 1 [title]: looks fine.md" in out
    assert "content/images/x\\u001b.png" in out
    assert "content/items/latin-\\udce9.md" in out
    assert out.count("has a name with control characters") == 3

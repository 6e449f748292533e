"""Adversarial corpus: hostile and broken items against the real Pelican build.

Two halves:

* Neutralised: one project full of hostile but valid items (XSS payloads in every
  text field, hostile raw HTML and Markdown bodies, Jinja injection). It must
  build, and every built page and feed, parsed with real parsers, must carry no
  script, event handler, dangerous URL or active element from the input, while
  the payloads still show as literal text.
* Refused: one broken item per case next to a valid one. The build must exit
  non-zero, name the file, line and field with a fix, print no traceback, and
  leave the previously published ``output/`` exactly as it was.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import html5lib
import pytest

from tests.helpers import (
    DANGEROUS_SCHEMES,
    HOSTILE_SVGS,
    LINK_PAYLOADS,
    SAFE_SVG,
    TRACEBACK,
    URL_ATTRIBUTES,
    Project,
    ReportedProblem,
    copy_project,
    html_dangers,
    item,
    localname,
    output_of,
    parse_html,
    parse_report,
    url_scheme,
)

# Feeds must link to an absolute, non-local URL for the built-site checks to pass.
OVERRIDES: dict[str, Any] = {
    "DIGEST_FEEDS": {"base_url": "https://digest.example.org/"}
}
NEVER_EVALUATED = "137165295"  # 12345 * 11111


# Builds run with a Python-Markdown made slow on purpose for one marker text
# (tests/fixtures/slowmarkdown): the render deadline must hold whatever the release.
SLOW_MARKDOWN = Path(__file__).parent / "fixtures" / "slowmarkdown"
SLOW_MARKER = "NEWSDIGEST-TEST-SLOW-TO-RENDER"


def build(project: Project) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(
        filter(None, [str(SLOW_MARKDOWN), os.environ.get("PYTHONPATH")])
    )
    return project.build(env={"PYTHONPATH": path}, **OVERRIDES)


def parse_fragment(text: str) -> ET.Element:
    wrapper = ET.Element("fragment")
    fragment = html5lib.parseFragment(
        text, treebuilder="etree", namespaceHTMLElements=False
    )
    wrapper.append(fragment)
    return wrapper


HTML_IN_XML = {"content", "summary", "description", "encoded", "subtitle"}


def xml_dangers(root: ET.Element, where: str) -> list[str]:
    found = []
    for element in root.iter():
        name = localname(element.tag)
        if name == "script":
            found.append(f"{where}: <script> element in XML")
        for attribute, value in element.attrib.items():
            if localname(attribute).startswith("on"):
                found.append(f"{where}: {name}[{attribute}]")
            if localname(attribute) in URL_ATTRIBUTES and url_scheme(value) in (
                DANGEROUS_SCHEMES
            ):
                found.append(f"{where}: {name}[{attribute}]={value!r}")
        # Atom text constructs without type="html" are plain text (RFC 4287 3.1).
        atom_text = element.tag.startswith("{http://www.w3.org/2005/Atom}") and (
            element.get("type", "text") == "text"
        )
        if name in HTML_IN_XML and element.text and not atom_text:
            found += html_dangers(parse_fragment(element.text), f"{where} <{name}>")
        if (
            name in {"link", "guid", "id", "loc", "comments"}
            and element.text
            and url_scheme(element.text.strip()) in DANGEROUS_SCHEMES
        ):
            found.append(f"{where}: <{name}>{element.text}")
    return found


def json_dangers(value: Any, where: str, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from json_dangers(v, where, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from json_dangers(v, where, key)
    elif isinstance(value, str):
        if "html" in key.lower() or "content" in key.lower():
            yield from html_dangers(parse_fragment(value), f"{where} [{key}]")
        if key.lower() in {"url", "href", "src", "link"} and url_scheme(value) in (
            DANGEROUS_SCHEMES
        ):
            yield f"{where} [{key}]={value!r}"


def built_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file())


def tree_digest(site: Path) -> str:
    digest = hashlib.sha256()
    for path in built_files(site):
        digest.update(str(path.relative_to(site)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


# --- The hostile but valid project ----------------------------------------------

FIELD_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "'><a href=javascript:alert(1)>x</a>",
    "</title><script>alert(1)</script>",
    "]]><script>alert(1)</script><![CDATA[",
    "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;",
    "{{ 7*7 }} {% raw %}{{ 12345*11111 }}{% endraw %} {{ config }}",
    '<a href="data:text/html,x" onmouseover=alert(1)>',
    "\u202e<b>rtl</b> \u200b zero width",
    # Second pass: JSON-LD and comment breakouts, Pelican prefixes in plain text.
    "</script ><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "</ScRiPt><img src=x onerror=alert(1)>",
    '<a href="{static}/../pelicanconf.py">s</a> |filename|x.md {attach}../../x',
    "javascript:alert(1)",
]
HTML_BODY = """\
Hostile raw HTML follows.

<script>alert(1)</script>

<SCRIPT SRC=https://evil.example/x.js></SCRIPT>

<scr<script>ipt>alert(1)</scr</script>ipt>

<iframe src="https://evil.example/"></iframe>

<object data="https://evil.example/x.swf"></object>

<embed src="https://evil.example/x.swf">

<svg onload=alert(1)><script>alert(1)</script></svg>

<math><mtext><script>alert(1)</script></mtext></math>

<style>body { display: none }</style>

<form action="javascript:alert(1)"><input name=x>
<button formaction="javascript:alert(1)">Go</button></form>

<meta http-equiv="refresh" content="0;url=javascript:alert(1)">

<base href="javascript:alert(1)//">

<link rel="stylesheet" href="javascript:alert(1)">

<p onclick="alert(1)" style="background:url(javascript:alert(1))">styled</p>

<p><a href="javascript:alert(1)">raw js</a>
<a href="  JaVaScRiPt:alert(1)">spaced</a>
<a href="java&#x09;script:alert(1)">tab entity</a>
<a href="jav&#x0A;ascript:alert(1)">newline entity</a>
<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">e</a>
<a href="https://example.com/" onclick="alert(1)" onmouseover="alert(1)">handlers</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>
<a href="vbscript:msgbox(1)">vb</a>
<img src="https://images.example.com/a.png" alt="fine" onerror="alert(1)">
<img src="javascript:alert(1)" alt="js image">
<img src="data:image/svg+xml,<svg onload=alert(1)>" alt="data image"></p>

<!-- <script>alert(1)</script> -->

<noscript><p title="</noscript><script>alert(1)</script>"></noscript>

<textarea><script>alert(1)</script></textarea>

<details open ontoggle=alert(1)>details</details>

<video><source onerror=alert(1)></video>

<body onload=alert(1)>

<template><script>alert(1)</script></template>

<a href="https://example.com/" target="_blank" formaction="javascript:alert(1)">t</a>

<p><img srcset="javascript:alert(1) 1x, https://e.com/a.png 2x" alt="srcset"
src="https://e.com/a.png">
<img src="vbscript:msgbox(1)" alt="vb image">
<img src="data:text/html;base64,PHNjcmlwdD4=" alt="data html image">
<a href="javascript&colon;alert(1)">named colon</a>
<a href="&#x6A;avascript:alert(1)">hex entity</a>
<a href="java&#x0D;script:alert(1)">cr entity</a>
<a href="/\\evil.example/">backslash host</a>
<a ping="https://evil.example/" href="https://example.com/">ping</a>
<img src="https://e.com/a.png" alt="lazy" loading="lazy" usemap="#m">
<span style="position:fixed;inset:0">overlay</span>
<link rel="import" href="https://evil.example/x.html">
<isindex action="javascript:alert(1)"><keygen autofocus onfocus=alert(1)>
<marquee onstart=alert(1)>m</marquee>
<a href="https://example.com/" download="x.exe">download</a></p>
"""
MARKDOWN_BODY = """\
Hostile Markdown follows.

[plain js](javascript:alert(1)) [mixed case](JaVaScRiPt:alert(1))
[tab entity](java&#x09;script:alert(1)) [entity](&#106;avascript:alert(1))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[vb](vbscript:msgbox(1)) [reference link][evil] [protocol relative](//evil.example)

![js image](javascript:alert(1))

<javascript:alert(1)>

[title attr](https://example.com/ "\\" onmouseover=\\"alert(1)")

[quote break](https://example.com/"onmouseover="alert(1))

Code `<script>alert(1)</script>` stays code.

    <script>alert(1)</script> in an indented block

Jinja {{ 7\\*7 }} and {% raw %}{{ 12345\\*11111 }}{% endraw %} stay literal.

[evil]: javascript:alert(1)

[data link](data:text/html,<script>alert(1)</script>) ![vb](vbscript:msgbox(1))
[spaced scheme]( javascript:alert(1)) [angle](<javascript:alert(1)>)
[nbsp scheme](\u00a0javascript:alert(1))
"""


@dataclass
class HostileSite:
    project: Project
    site: Path
    titles: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    project = copy_project(tmp_path_factory.mktemp("hostile"), False)
    titles, slugs = [], []
    for index, payload in enumerate(FIELD_PAYLOADS):
        title = f"Story {index} {payload}"
        titles.append(_norm(title))
        slugs.append(f"hostile-{index}")
        project.write(
            f"content/items/hostile-{index}.md",
            item(
                title=title,
                slug=f"hostile-{index}",
                summary=f"Summary {payload}",
                source=f"Outlet {index} {payload}",
                authors=[f"Writer {payload}", "Second writer"],
                source_url=f"https://example.com/story/{index}?q={payload}".replace(
                    " ", "%20"
                ),
                tags=["Safe tag", f"Tag {index} {payload}"],
                corrections=[
                    {"date": "2022-01-06T10:00:00+00:00", "text": f"Fixed {payload}"}
                ],
                image={
                    "src": "https://images.example.com/photo.jpg",
                    "alt": f"Alt {payload}",
                    "credit": f"Credit {payload}",
                },
                body=f"Body text for item {index}.\n",
            ),
        )
    for name, body in (("html-body", HTML_BODY), ("markdown-body", MARKDOWN_BODY)):
        titles.append(f"Body {name}")
        slugs.append(name)
        project.write(
            f"content/items/{name}.md",
            item(
                title=f"Body {name}",
                slug=name,
                source_url=f"https://example.com/{name}",
                body=body,
            ),
        )
    # A tab is whitespace: normalised, not refused.
    titles.append("Tabbed title")
    slugs.append("tabbed")
    project.write(
        "content/items/tabbed.md",
        item(title="Tabbed\ttitle", slug="tabbed", source_url="https://example.com/t"),
    )
    result = build(project)
    out = output_of(result)
    assert result.returncode == 0, out
    assert TRACEBACK not in out
    return HostileSite(project, project.output.resolve(), titles, slugs)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<a href="vbscript:x">x</a>',
        '<form action="https://e.com/"></form>',
        "<iframe></iframe>",
        "<style>p{}</style>",
        '<meta http-equiv="refresh" content="0">',
        '<p style="background:url(javascript:x)">x</p>',
    ],
)
def test_scanner_catches_unsanitised_payloads(snippet: str) -> None:
    """The checks below are only as good as this scanner: it must see raw XSS."""
    assert html_dangers(parse_html(snippet), "raw")
    escaped = html.escape(snippet)
    assert xml_dangers(ET.fromstring(f"<d><content>{escaped}</content></d>"), "x")
    assert not html_dangers(parse_html(f"<p>{escaped}</p>"), "escaped")


@pytest.mark.slow
def test_hostile_site_builds_every_item(hostile_site: HostileSite) -> None:
    for slug in hostile_site.slugs:
        assert (hostile_site.site / "2022" / "01" / slug / "index.html").is_file(), slug


@pytest.mark.slow
def test_no_executable_content_in_any_built_file(hostile_site: HostileSite) -> None:
    problems: list[str] = []
    counts = {"html": 0, "xml": 0, "json": 0}
    for path in built_files(hostile_site.site):
        where = str(path.relative_to(hostile_site.site))
        if where.startswith("pagefind/"):
            continue  # Pagefind's bundle: see test_search_index_shows_payloads_as_text
        text = (
            path.read_text(encoding="utf-8")
            if path.suffix in (".html", ".xml", ".json")
            else ""
        )
        if path.suffix == ".html":
            counts["html"] += 1
            problems += html_dangers(parse_html(text), where)
        elif path.suffix == ".xml":
            counts["xml"] += 1
            problems += xml_dangers(ET.fromstring(text.encode("utf-8")), where)
        elif path.suffix == ".json":
            counts["json"] += 1
            problems += list(json_dangers(json.loads(text), where))
    assert counts["html"] >= len(hostile_site.slugs) and counts["xml"] >= 2, counts
    assert problems == [], "\n".join(problems)


def _text(element: ET.Element | None) -> str:
    return "" if element is None else "".join(element.itertext())


@pytest.mark.slow
def test_titles_and_fields_are_escaped_text_in_pages(hostile_site: HostileSite) -> None:
    for index, payload in enumerate(FIELD_PAYLOADS):
        page = hostile_site.project.page(f"2022/01/hostile-{index}/index.html")
        tree = parse_html(page)
        title = hostile_site.titles[index]
        assert _norm(_text(tree.find(".//h1"))) == title
        assert _norm(_text(tree.find(".//title"))).startswith(title)
        visible = _norm(_text(tree.find(".//body")))
        # Each field's payload is shown literally, not interpreted.
        for shown in (f"Summary {payload}", f"Outlet {index} {payload}"):
            assert _norm(shown) in visible, shown


@pytest.mark.slow
def test_feed_titles_are_escaped_once(hostile_site: HostileSite) -> None:
    atom = ET.parse(hostile_site.site / "feeds" / "all.atom.xml").getroot()
    ns = "{http://www.w3.org/2005/Atom}"
    atom_titles = {
        _norm(e.findtext(f"{ns}title") or "") for e in atom.iter(f"{ns}entry")
    }
    rss = ET.parse(hostile_site.site / "feeds" / "all.rss.xml").getroot()
    rss_titles = {_norm(i.findtext("title") or "") for i in rss.iter("item")}
    for title in hostile_site.titles:
        assert title in atom_titles, title
        assert title in rss_titles, title
    for entry in atom.iter(f"{ns}entry"):
        for part in entry:
            assert localname(part.tag) != "script"
            assert len(part) == 0 or localname(part.tag) in {"author", "category"}, part


@pytest.mark.slow
def test_link_prefixes_in_plain_fields_publish_nothing(
    hostile_site: HostileSite,
) -> None:
    """Titles, summaries and the like are text: Pelican must not rewrite their
    ``{static}`` prefixes (FORMATTED_FIELDS) nor copy what they name."""
    names = {p.name for p in built_files(hostile_site.site)}
    assert "pelicanconf.py" not in names
    assert not any(p.suffix == ".py" for p in built_files(hostile_site.site))


@pytest.mark.slow
def test_template_syntax_in_content_is_not_evaluated(hostile_site: HostileSite) -> None:
    for path in built_files(hostile_site.site):
        if path.suffix in {".html", ".xml", ".json"}:
            assert NEVER_EVALUATED not in path.read_text(encoding="utf-8"), path
    page = parse_html(hostile_site.project.page("2022/01/hostile-7/index.html"))
    assert "{{ 7*7 }}" in _text(page.find(".//h1"))
    body = parse_html(hostile_site.project.page("2022/01/markdown-body/index.html"))
    assert "{{ 7*7 }}" in _text(body.find(".//body"))


@pytest.mark.slow
def test_hostile_bodies_keep_their_safe_parts(hostile_site: HostileSite) -> None:
    page = parse_html(hostile_site.project.page("2022/01/html-body/index.html"))
    hrefs = [a.get("href") for a in page.iter("a")]
    assert "https://example.com/" in hrefs
    assert "https://images.example.com/a.png" in [
        i.get("src") for i in page.iter("img")
    ]
    text = _text(page.find(".//body"))
    assert "handlers" in text and "styled" in text
    assert "alert(1)" not in "".join((s.text or "") for s in page.iter("script"))


@pytest.mark.slow
def test_tags_with_markup_are_neutralised(tmp_path: Path) -> None:
    """Tag names reach tag pages, feed titles and feed descriptions."""
    project = copy_project(tmp_path / "tags", False)
    project.write(
        "content/items/a.md",
        item(tags=["Tag <script>alert(1)</script>", 'Tag "><svg onload=alert(1)>']),
    )
    result = build(project)
    out = output_of(result)
    assert TRACEBACK not in out
    assert result.returncode == 0, out
    problems = []
    for path in built_files(project.output.resolve()):
        where = str(path.relative_to(project.output.resolve()))
        if path.suffix == ".html":
            problems += html_dangers(parse_html(path.read_text("utf-8")), where)
        elif path.suffix == ".xml":
            problems += xml_dangers(ET.parse(path).getroot(), where)
    assert problems == [], "\n".join(problems)


# --- Broken content: refused with a clear report, output untouched -----------------


@dataclass(frozen=True)
class Expect:
    path: str = "content/items/bad.md"
    line: int | None = None  # None: any line, or none
    field: str | None = None
    words: str = ""  # a fragment the message must contain (case-insensitive)


def item_without(key: str) -> str:
    return item(**{key: None})


Files = dict[str, str | bytes]
Setup = Callable[[Project, Path], None]


@dataclass(frozen=True)
class Case:
    id: str
    files: Files
    expect: tuple[Expect, ...]
    setup: Setup | None = None


def case(id: str, text: str | bytes, *expect: Expect) -> Case:
    return Case(id, {"content/items/bad.md": text}, expect or (Expect(),))


def body_of(size: int) -> str:
    line = "A long paragraph of a pasted article that never ends. " * 20 + "\n\n"
    return (line * (size // len(line) + 1))[:size]


def _link_file_outside(project: Project, tmp: Path) -> None:
    outside = tmp / "outside-secret.md"
    outside.write_text(item(title="Secret", source_url="https://example.com/secret"))
    os.symlink(outside, project.content / "items" / "bad.md")


def _link_dir_outside(project: Project, tmp: Path) -> None:
    outside = tmp / "outside-dir"
    outside.mkdir()
    (outside / "stolen.md").write_text(
        item(title="Stolen", source_url="https://example.com/stolen")
    )
    os.symlink(outside, project.content / "items" / "linked", target_is_directory=True)


SAME = "https://example.com/same-story"
BAD = "content/items/bad.md"
OTHER = "content/items/other.md"

CASES: list[Case] = [
    # Files that cannot be read as items.
    case("empty-file", b"", Expect(words="empty")),
    case("whitespace-file", "\n  \n\t\n", Expect(words="empty")),
    case("no-front-matter", "Just a body.\n", Expect(line=1, words="front matter")),
    case("unclosed-front-matter", "---\ntitle: A\n", Expect(line=1, words="closed")),
    case(
        "non-utf8",
        item(title="Caf\u00e9 story").encode("latin-1"),
        Expect(line=2, words="UTF-8"),
    ),
    case(
        "malformed-yaml",
        "---\ntitle: [unclosed\ndate: 2022-01-05\n---\nBody\n",
        Expect(words="not valid YAML"),
    ),
    case(
        "yaml-colon-in-value",
        item().replace("title: A story", "title: Breaking: a: story"),
        Expect(line=2, words="not valid YAML"),
    ),
    case("yaml-not-mapping", "---\n- title\n- date\n---\nBody\n", Expect(line=2)),
    case(
        "yaml-raw-control-character",
        item().replace("title: A story", "title: A \x1b[31m story"),
        Expect(line=2),
    ),
    case(
        "yaml-python-tag",
        item().replace("title: A story", "title: !!python/object/apply:os.system [id]"),
        Expect(line=2),
    ),
    case(
        "yaml-alias-bomb",
        "---\n"
        + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        )
        + item(tags=None).split("---\n")[1]
        + "tags: *h\nstatus: *h\n---\nBody\n",
        Expect(words="alias"),
    ),
    case(
        "duplicate-key",
        item().replace("title: A story\n", "title: A story\ntitle: Another\n"),
        Expect(line=3, field="title", words="twice"),
    ),
    case(
        "ten-megabyte-body",
        item(body=body_of(10 * 1024 * 1024)),
        Expect(words="bytes"),
    ),
    # Wrong types.
    case("title-list", item(title=["A", "B"]), Expect(line=2, field="title")),
    case("title-mapping", item(title={"a": 1}), Expect(line=2, field="title")),
    case("tags-string", item(tags="a, b"), Expect(line=8, field="tags")),
    case("tags-number-entry", item(tags=["ok", 7]), Expect(line=8, field="tags[1]")),
    case("date-number", item(date=20220105), Expect(line=3, field="date")),
    case(
        "image-string", item(image="https://e.com/a.png"), Expect(line=8, field="image")
    ),
    case("topic-list", item(topic=["world", "science"]), Expect(line=4, field="topic")),
    case("authors-mapping", item(authors={"a": "b"}), Expect(line=8, field="authors")),
    case("summary-bool", item(summary=True), Expect(line=5, field="summary")),
    # Missing or empty required fields.
    *(
        case(f"missing-{key}", item_without(key), Expect(field=key, words="required"))
        for key in ("title", "date", "topic", "summary", "source", "source_url")
    ),
    case("empty-title", item(title="  "), Expect(line=2, field="title")),
    # Dates.
    case(
        "impossible-date-unquoted",
        item().replace("date: '2022-01-05T10:00:00+00:00'", "date: 2021-02-30"),
        Expect(line=3, field="date"),
    ),
    case(
        "impossible-date-quoted", item(date="2021-02-30"), Expect(line=3, field="date")
    ),
    case("month-13", item(date="2021-13-01"), Expect(line=3, field="date")),
    case(
        "partial-date",
        item(date="2021-12"),
        Expect(line=3, field="date", words="partial"),
    ),
    case("year-only", item(date="2021"), Expect(line=3, field="date", words="partial")),
    case("nonsense-date", item(date="next tuesday"), Expect(line=3, field="date")),
    case(
        "updated-before-date",
        item(updated="2022-01-01"),
        Expect(line=8, field="updated", words="earlier"),
    ),
    # Closed vocabularies and keys.
    case("unknown-topic", item(topic="sport"), Expect(line=4, field="topic")),
    case("unknown-key", item(colour="red"), Expect(line=8, field="colour")),
    case("misspelt-key", item(tag=["a"]), Expect(line=8, field="tag")),
    *(
        case(f"pelican-key-{key}", item(**{key: value}), Expect(line=8, field=key))
        for key, value in (
            ("save_as", "../../../../etc/cron.d/evil"),
            ("url", "javascript:alert(1)"),
            ("template", "../../evil"),
            ("category", "Other"),
            ("output_path", "/tmp"),
        )
    ),
    case("status-bogus", item(status="bogus"), Expect(line=8, field="status")),
    case("label-rumour", item(label="rumour"), Expect(line=8, field="label")),
    case("lang-words", item(lang="english language"), Expect(line=8, field="lang")),
    case(
        "correction-without-text",
        item(corrections=[{"date": "2022-01-06"}]),
        Expect(line=8, field="corrections[0].text"),
    ),
    case(
        "correction-extra-key",
        item(corrections=[{"date": "2022-01-06", "text": "x", "html": "<b>"}]),
        Expect(line=8, field="corrections[0]"),
    ),
    case(
        "corrections-string",
        item(corrections="fixed"),
        Expect(line=8, field="corrections"),
    ),
    # Slugs and output paths.
    *(
        case(f"slug-{name}", item(slug=slug), Expect(line=8, field="slug"))
        for name, slug in (
            ("dotdot-path", "../evil"),
            ("slash", "a/b"),
            ("dotdot", ".."),
            ("absolute", "/etc/passwd"),
            ("uppercase-space", "Big Story"),
            ("html-ext", "index.html"),
            ("backslash", "..\\evil"),
        )
    ),
    case("title-without-letters", item(title="!!! ???"), Expect(line=2, field="title")),
    case(
        "tag-without-letters", item(tags=["<b></b>"]), Expect(line=8, field="tags[0]")
    ),
    case("source-without-letters", item(source="***"), Expect(line=6, field="source")),
    Case(
        "duplicate-slug-same-month",
        {
            BAD: item(slug="same", source_url="https://example.com/1"),
            OTHER: item(slug="same", source_url="https://example.com/2"),
        },
        (Expect(BAD, field="slug"), Expect(OTHER, field="slug")),
    ),
    Case(
        "page-over-site-page",
        {"content/pages/archive.md": "---\ntitle: Archive\n---\nText.\n"},
        (Expect("content/pages/archive.md", field="slug"),),
    ),
    Case(
        "outlet-spellings-share-a-page",
        {
            BAD: item(source="A.P.", source_url="https://example.com/1"),
            OTHER: item(source="AP", source_url="https://example.com/2"),
        },
        (Expect(BAD, field="source"), Expect(OTHER, field="source")),
    ),
    Case(
        "duplicate-source-urls",
        {
            BAD: item(slug="one", source_url=SAME),
            **{
                f"content/items/{name}.md": item(slug=name, source_url=variant)
                for name, variant in (
                    ("exact", SAME),
                    ("trailing-slash", SAME + "/"),
                    ("www", SAME.replace("://", "://www.")),
                    ("host-case", SAME.replace("example.com", "EXAMPLE.com")),
                    ("fragment", SAME + "#top"),
                )
            },
        },
        tuple(
            Expect(f"content/items/{name}.md", field="source_url")
            for name in (
                "bad",
                "exact",
                "trailing-slash",
                "www",
                "host-case",
                "fragment",
            )
        ),
    ),
    # URLs.
    *(
        case(
            f"source-url-{name}",
            item(source_url=url),
            Expect(line=7, field="source_url"),
        )
        for name, url in (
            ("javascript", "javascript:alert(1)"),
            ("javascript-mixed-case", "JaVaScRiPt:alert(1)"),
            ("javascript-entity", "java&#x09;script:alert(1)"),
            ("data", "data:text/html,<script>alert(1)</script>"),
            ("vbscript", "vbscript:msgbox(1)"),
            ("relative", "/relative/path"),
            ("protocol-relative", "//evil.example/x"),
            ("ftp", "ftp://example.com/x"),
            ("no-host", "https:///path"),
            ("space", "https://exa mple.com/"),
        )
    ),
    *(
        case(
            f"image-src-{name}",
            item(image={"src": src, "alt": "An image"}),
            Expect(line=8, field="image.src"),
        )
        for name, src in (
            ("javascript", "javascript:alert(1)"),
            ("data", "data:image/svg+xml,<svg onload=alert(1)>"),
            ("protocol-relative", "//evil.example/a.png"),
            ("dotdot", "../../../etc/passwd"),
            ("missing-file", "images/nope.png"),
        )
    ),
    case(
        "image-without-alt",
        item(image={"src": "https://e.com/a.png"}),
        Expect(line=8, field="image.alt"),
    ),
    case(
        "image-handler-key",
        item(image={"src": "https://e.com/a.png", "alt": "a", "onerror": "alert(1)"}),
        Expect(line=8, field="image.onerror"),
    ),
    case(
        "body-image-without-alt",
        item(body="Text.\n\n<img src=https://e.com/a.png onerror=alert(1)>\n"),
        Expect(line=9, field="body"),
    ),
    # Control characters.
    case("title-nul", item(title="A\x00story"), Expect(line=2, field="title")),
    case(
        "summary-escape",
        item(summary="Red \x1b[31m text."),
        Expect(line=5, field="summary"),
    ),
    case("tag-bell", item(tags=["ding\x07"]), Expect(line=8, field="tags[0]")),
    case("title-newline", item(title="Two\nlines"), Expect(line=2, field="title")),
    case("title-line-separator", item(title="A\u2028B"), Expect(line=2, field="title")),
    case(
        "body-control-characters",
        item(body="Fine line.\n\nEscape \x1b[31m and bell \x07 and \x0c.\n"),
        Expect(line=11, field="body"),
    ),
    # Links out of content/.
    Case(
        "symlink-file-outside", {}, (Expect(BAD, words="outside"),), _link_file_outside
    ),
    Case(
        "symlink-dir-outside",
        {},
        (Expect("content/items/linked", words="outside"),),
        _link_dir_outside,
    ),
]


# --- Second red-team pass: content that reaches the site through Pelican ------------


def body_case(id: str, payload: str, words: str = "") -> Case:
    """A body with ``payload`` on line 11 (front matter is lines 1-8)."""
    return case(
        id,
        item(body=f"Intro.\n\n{payload}\n"),
        Expect(line=11, field="body", words=words),
    )


def _link_loop(project: Project, _tmp: Path) -> None:
    os.symlink("..", project.content / "items" / "loop", target_is_directory=True)


def _link_inside(project: Project, _tmp: Path) -> None:
    project.write("content/images/real.svg", SAFE_SVG)
    os.symlink("real.svg", project.content / "images" / "alias.svg")


ENTITY_PAYLOADS = {
    "ref-1": "&#1;",
    "ref-vt": "&#x0B;",
    "ref-fffe": "&#xFFFE;",
    "ref-nul": "&#0;",
    "ref-surrogate": "&#xD800;",
    "ref-plane-nonchar": "&#x1FFFF;",
    "ref-too-big": "&#1114112;",
    "ref-padded": "&#000000001;",
    "ref-no-semicolon": "&#x1f",
    "ref-del": "&#127;",
}
HARDENING_CASES: list[Case] = [
    *(
        body_case(f"body-link-{name}", payload, words)
        for name, (payload, words) in LINK_PAYLOADS.items()
    ),
    # Bodies Python-Markdown would render for hours, or recurse on.
    case(
        "body-slow-to-render",
        item(body=f"Text Markdown reads for an hour: {SLOW_MARKER}.\n"),
        Expect(line=9, field="body", words="to render"),
    ),
    case(
        "body-quarter-megabyte-of-divs",
        item(body="<div>" * 50_000),
        Expect(field=None, words="bytes"),
    ),
    case(
        "body-nested-lists",
        item(body="".join("    " * depth + "- x\n" for depth in range(300))),
        Expect(line=9, field="body", words="nested too deeply"),
    ),
    case(
        "reference-link-attach",
        item(body="Intro.\n\n[n][r]\n\n[r]: {attach}../../../x\n"),
        Expect(line=13, field="body", words="attach"),
    ),
    *(
        body_case(f"body-entity-{name}", f"Text {payload} here.", "reference")
        for name, payload in ENTITY_PAYLOADS.items()
    ),
    # YAML escapes decoding to characters feeds cannot carry, in every field.
    *(
        case(
            f"field-{key}-{name}",
            item(**{key: f"A {char} B"}),
            Expect(line=line, field=key),
        )
        for key, line in (("title", 2), ("summary", 5), ("source", 6))
        for name, char in (("fffe", "\ufffe"), ("c1", "\x9b"), ("fdd0", "\ufdd0"))
    ),
    case("tag-fffe", item(tags=["a\ufffe"]), Expect(line=8, field="tags[0]")),
    case("author-del", item(authors=["a\x7f"]), Expect(line=8, field="authors[0]")),
    case(
        "image-alt-nonchar",
        item(image={"src": "https://e.com/a.png", "alt": "a\U0010ffff"}),
        Expect(line=8, field="image.alt"),
    ),
    case(
        "correction-c0",
        item(corrections=[{"date": "2022-01-06", "text": "a\x01"}]),
        Expect(line=8, field="corrections[0].text"),
    ),
    case(
        "yaml-escape-fffe-quoted",
        item().replace("title: A story", 'title: "A \\uFFFE story"'),
        Expect(line=2, field="title"),
    ),
    # Numbers Python refuses to print.
    case(
        "title-5000-digits",
        item().replace("title: A story", "title: " + "9" * 5000),
        Expect(line=2, field="title", words="number"),
    ),
    case(
        "tag-hex-5000-digits",
        item().replace(
            "title: A story", "title: A story\ntags: [0x" + "f" * 5000 + "]"
        ),
        Expect(line=3, field="tags", words="number"),
    ),
    # Over-long addresses and limits.
    case("slug-300", item(slug="-".join(["word"] * 60)), Expect(line=8, field="slug")),
    case("tag-250-bytes", item(tags=["x" * 250]), Expect(line=8, field="tags[0]")),
    case("tag-multibyte", item(tags=["\u00e9" * 130]), Expect(line=8, field="tags[0]")),
    case("tag-cjk-slug", item(tags=["\u4e2d" * 33]), Expect(line=8, field="tags[0]")),
    case(
        "source-250-bytes", item(source="Outlet " * 40), Expect(line=6, field="source")
    ),
    case("title-2000-bytes", item(title="word " * 400), Expect(line=2, field="title")),
    case(
        "tags-1000",
        item(tags=[f"t{i}" for i in range(1000)]),
        Expect(line=8, field="tags"),
    ),
    case(
        "authors-500",
        item(authors=[f"a{i}" for i in range(500)]),
        Expect(line=8, field="authors"),
    ),
    case(
        "corrections-100",
        item(corrections=[{"date": "2022-01-06", "text": f"x{i}"} for i in range(100)]),
        Expect(line=8, field="corrections"),
    ),
    # Windows reserved names and dot-only names as addresses.
    case("slug-con", item(slug="con"), Expect(line=8, field="slug")),
    case("tag-nul", item(tags=["NUL"]), Expect(line=8, field="tags[0]")),
    case("source-com1", item(source="COM1"), Expect(line=6, field="source")),
    case("tag-dotdot", item(tags=[".."]), Expect(line=8, field="tags[0]")),
    case("source-dotdot", item(source=".."), Expect(line=6, field="source")),
    case("slug-percent-slash", item(slug="a%2Fb"), Expect(line=8, field="slug")),
    case("slug-zero-width", item(slug="a\u200bb"), Expect(line=8, field="slug")),
    # Empty closed vocabularies say so and list the choices.
    case(
        "label-empty",
        item().replace("source: Example Wire", "source: Example Wire\nlabel:"),
        Expect(line=7, field="label", words="empty"),
    ),
    case(
        "status-empty",
        item().replace("source: Example Wire", "source: Example Wire\nstatus:"),
        Expect(line=7, field="status", words="empty"),
    ),
    # Tags whose addresses collide.
    *(
        Case(
            f"tags-collide-{name}",
            {
                BAD: item(tags=[first], source_url="https://example.com/1"),
                OTHER: item(tags=[second], source_url="https://example.com/2"),
            },
            (Expect(BAD, line=8, field="tags"), Expect(OTHER, line=8, field="tags")),
        )
        for name, first, second in (
            ("c-plus", "C", "C++"),
            ("c-sharp", "C#", "C"),
            ("accent", "Caf\u00e9", "Cafe"),
            ("fullwidth", "\uff23\uff21\uff26\uff25", "Cafe"),
            ("punctuation", "U.S.", "US"),
        )
    ),
    # Static files: only images, SVGs without anything active.
    *(
        Case(
            f"static-{name}",
            {f"content/images/{name}": data},
            (Expect(f"content/images/{name}", words=words),),
        )
        for name, data, words in (
            ("page.html", "<script>alert(1)</script>", "only images"),
            (
                "page.xhtml",
                "<html xmlns='http://www.w3.org/1999/xhtml'/>",
                "only images",
            ),
            ("app.js", "alert(1)", "only images"),
            ("x.svgz", b"\x1f\x8b\x08\x00", "only images"),
            ("noext", "x", "only images"),
            ("page.HTM", "<script>alert(1)</script>", "only images"),
            ("fake.png", "<html><script>alert(1)</script>", "not a png"),
            ("fake.jpg", "<script>alert(1)</script>", "not a jpeg"),
            *((f"{svg}.svg", text, "") for svg, text in HOSTILE_SVGS.items()),
        )
    ),
    # The front matter image: only an image in a static folder, not any file.
    *(
        case(
            f"image-src-{name}",
            item(image={"src": src, "alt": "An image"}),
            Expect(line=8, field="image.src", words=words),
        )
        for name, src, words in (
            ("topics-file", "topics.yml", "static folder"),
            ("item-source", "items/bad.md", "static folder"),
            ("percent-dotdot", "images/%2e%2e/%2e%2e/pelicanconf.py", "does not exist"),
        )
    ),
    Case(
        "image-src-html-in-images",
        {
            BAD: item(image={"src": "images/page.html", "alt": "A page"}),
            "content/images/page.html": "<script>alert(1)</script>",
        },
        (Expect(BAD, line=8, field="image.src", words="only images"),),
    ),
    Case(
        "topic-slug-too-long",
        {
            "content/topics.yml": "w" * 151
            + ":\n  name: W\n  description: D.\n  order: 1\n"
        },
        (Expect("content/topics.yml", line=1, words="too long"),),
    ),
    Case(
        "topic-slug-windows",
        {"content/topics.yml": "aux:\n  name: W\n  description: D.\n  order: 1\n"},
        (Expect("content/topics.yml", line=1, words="windows"),),
    ),
    Case(
        "static-in-subfolder",
        {"content/images/deep/x.html": "<script>alert(1)</script>"},
        (Expect("content/images/deep/x.html", words="only images"),),
    ),
    # Links: one problem per link, none per file read through it.
    Case(
        "symlink-loop",
        {},
        (Expect("content/items/loop", words="symbolic link"),),
        _link_loop,
    ),
    Case(
        "symlink-inside",
        {},
        (Expect("content/images/alias.svg", words="symbolic link"),),
        _link_inside,
    ),
]
CASES.extend(HARDENING_CASES)
SOLO_HARDENING = {
    "body-link-attach-environ",
    "body-link-empty-prefix-js",
    "body-link-bare-image",
    "body-entity-ref-1",
    "yaml-escape-fffe-quoted",
    "title-5000-digits",
    "tags-1000",
    "tag-250-bytes",
    "label-empty",
}


@pytest.fixture(scope="module")
def good_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published site, copied for each refused case."""
    project = copy_project(tmp_path_factory.mktemp("good"), False)
    project.write("content/items/good.md", item(source_url="https://example.com/good"))
    result = build(project)
    assert result.returncode == 0, output_of(result)
    assert project.output.is_symlink()
    return project.root


def _published(project: Project) -> tuple[str, str]:
    return os.readlink(project.output), tree_digest(project.output.resolve())


def _copy(good: Path, tmp: Path) -> Project:
    root = tmp / "project"
    shutil.copytree(good, root, symlinks=True)
    return Project(root)


def assert_refused(
    result: subprocess.CompletedProcess[str], expected: tuple[Expect, ...]
) -> list[ReportedProblem]:
    out = output_of(result)
    assert result.returncode != 0, out
    assert TRACEBACK not in out, out
    problems = parse_report(out)
    assert problems, out
    for problem in problems:
        assert problem.fix.strip(), (problem, out)
    for want in expected:
        matches = [
            p
            for p in problems
            if p.path == want.path
            and (want.field is None or p.field == want.field)
            and (want.line is None or p.line == want.line)
            and want.words.lower() in p.message.lower()
        ]
        assert matches, f"no problem like {want} in:\n{out}"
    return problems


# Each of these runs alone; every single-file case also runs in the combined test.
SOLO = {
    "empty-file",
    "non-utf8",
    "malformed-yaml",
    "yaml-raw-control-character",
    "yaml-alias-bomb",
    "ten-megabyte-body",
    "title-list",
    "topic-list",
    "missing-title",
    "missing-source_url",
    "impossible-date-unquoted",
    "partial-date",
    "unknown-topic",
    "unknown-key",
    "pelican-key-save_as",
    "slug-dotdot-path",
    "source-url-javascript",
    "image-src-javascript",
    "image-without-alt",
    "title-nul",
    "body-control-characters",
    "tag-without-letters",
}


def runs_alone(broken: Case) -> bool:
    return (
        broken.id in SOLO | SOLO_HARDENING
        or broken.setup is not None
        or set(broken.files) != {BAD}
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "broken", [c for c in CASES if runs_alone(c)], ids=lambda c: c.id
)
def test_broken_content_is_refused_and_output_kept(
    broken: Case, good_project: Path, tmp_path: Path
) -> None:
    project = _copy(good_project, tmp_path)
    before = _published(project)
    for name, text in broken.files.items():
        project.write(name, text)
    if broken.setup:
        broken.setup(project, tmp_path)
    started = time.monotonic()
    result = build(project)
    elapsed = time.monotonic() - started
    assert_refused(result, broken.expect)
    assert _published(project) == before
    assert elapsed < 60, f"refusing took {elapsed:.1f} s"


@pytest.mark.slow
def test_every_broken_item_is_reported_in_one_run(
    good_project: Path, tmp_path: Path
) -> None:
    """All single-file cases together: one run names every one of them."""
    project = _copy(good_project, tmp_path)
    before = _published(project)
    expected: list[Expect] = []
    for broken in CASES:
        if broken.setup or len(broken.files) != 1 or BAD not in broken.files:
            continue
        name = f"content/items/{broken.id}.md"
        project.write(name, broken.files[BAD])
        expected += [
            Expect(name, want.line, want.field, want.words) for want in broken.expect
        ]
    _link_file_outside(project, tmp_path)
    expected.append(Expect(BAD, words="outside"))
    result = build(project)
    problems = assert_refused(result, tuple(expected))
    named = {p.path for p in problems}
    assert named >= {want.path for want in expected}
    assert "content/items/good.md" not in named
    assert _published(project) == before

"""Built-site checks on HTML pages: links, anchors, assets and HTML rules.

Each test builds a tiny site in tmp_path: a clean site must give no problems,
and each single breakage must give exactly one recognisable Problem.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdigest.problems import Report
from newsdigest.sitecheck import SiteChecker, check_site
from newsdigest.sitecheck.__main__ import main
from tests.helpers import only_problem, write_tree

SITE_URL = "https://digest.example.org"


def html_page(main: str = "<h1>Digest</h1>", *, head: str = "") -> str:
    """A valid page; the first line of ``main`` is line 11 of the file."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Digest</title>
<link rel="stylesheet" href="/theme/css/main.css">
{head}</head>
<body>
<main>
{main}
</main>
</body>
</html>
"""


INDEX_MAIN = f"""<h1 id="top-stories">Today</h1>
<a href="posts/first/">First</a> <a href="/posts/first/#details">details</a>
<a href="{SITE_URL}/posts/first/">absolute</a>
<a href="about.html?ref=home#team">team</a>
<a href="caf%C3%A9/">café</a> <a href="https://example.com/x">elsewhere</a>
<a href="mailto:desk@example.org">mail</a> <a href="tel:+3212345">call</a>
<a href="#top">top</a> <a href="#">here</a> <a href="#top-stories">stories</a>
<a href="posts">posts</a> <a href="./">home</a>
<a href="https://example.com/" target="_blank" rel="noopener noreferrer">new tab</a>
<img src="/images/logo.png" srcset="/images/logo.png 1x, images/logo@2x.png 2x" alt="">
<picture><source srcset="/images/logo@2x.png"><img src="images/logo.png" alt="Logo">
</picture>
<svg><title>icon</title><use href="#sprite"></use></svg>
<script type="application/ld+json">{{"@type": "NewsArticle", "url": "a<\\/b"}}</script>
"""
INDEX_HEAD = f"""<link rel="icon" href="/favicon.ico">
<link rel="canonical" href="{SITE_URL}/">
<link rel="alternate" type="text/plain" href="/sitemap.xml">
<meta property="og:image" content="{SITE_URL}/images/logo.png">
<style>.hero {{ background: url("/images/logo.png") }}</style>
"""
MAIN_CSS = """/* url(commented-out.png) */
@import "reset.css";
@font-face { src: url(../fonts/serif.woff2) format("woff2"); }
.icon { background: url(data:image/png;base64,iVBORw0KGgo=); }
.blur { filter: url(#blur); }
"""


def clean_files() -> dict[str, str]:
    return {
        "index.html": html_page(INDEX_MAIN, head=INDEX_HEAD),
        "posts/index.html": html_page(),
        "posts/first/index.html": html_page(
            '<h1>First</h1>\n<h2 id="details">Details</h2>\n'
            '<a href="../../index.html">home</a> <a href="../../about.html#team">'
            "team</a>\n"
        ),
        "about.html": html_page('<h1>About</h1>\n<a name="team">Team</a>'),
        "café/index.html": html_page(),
        "theme/css/main.css": MAIN_CSS,
        "theme/css/reset.css": "html { margin: 0 }\n",
        "theme/fonts/serif.woff2": "",
        "images/logo.png": "",
        "images/logo@2x.png": "",
        "favicon.ico": "",
        "sitemap.xml": '<?xml version="1.0"?><urlset/>',
    }


def test_clean_site_has_no_problems(tmp_path: Path) -> None:
    report = check_site(write_tree(tmp_path, clean_files()), site_url=SITE_URL)
    assert report.problems == [], report.format_text()


def test_site_under_a_path_accepts_prefixed_root_relative_links(
    tmp_path: Path,
) -> None:
    files = {
        "index.html": html_page(
            '<h1>Hi</h1><a href="/digest/about.html">about</a>'
            ' <a href="https://example.org/digest/">home</a>'
            ' <a href="https://example.org/shop/">shop</a>'
        ),
        "about.html": html_page().replace('"/theme/', '"/digest/theme/'),
        "theme/css/main.css": "",
    }
    report = check_site(
        write_tree(tmp_path, files), site_url="https://example.org/digest"
    )
    problem = only_problem(report)  # the template's unprefixed stylesheet
    assert (problem.check, problem.line, problem.field) == ("links", 7, "link[href]")
    assert "outside the site's base path /digest/" in problem.message


BROKEN_PAGES = [
    # (what is wrong, file, text of main, check, line, field, message part)
    (
        "missing page",
        "index.html",
        '<a href="/posts/gone/">x</a>',
        "links",
        11,
        "a[href]",
        "leads to posts/gone/, which is not in the built site",
    ),
    (
        "relative missing",
        "posts/first/notes.html",
        '<a href="../second/">x</a>',
        "links",
        11,
        "a[href]",
        "leads to posts/second/",
    ),
    (
        "absolute missing",
        "index.html",
        f'<a href="{SITE_URL}/nope.html">x</a>',
        "links",
        11,
        "a[href]",
        "leads to nope.html",
    ),
    (
        "climbs out",
        "index.html",
        '<a href="../outside.html">x</a>',
        "links",
        11,
        "a[href]",
        "climbs above the site root",
    ),
    (
        "localhost",
        "index.html",
        '<a href="http://localhost:8000/">x</a>',
        "links",
        11,
        "a[href]",
        "points to localhost",
    ),
    (
        "loopback image",
        "index.html",
        '<img src="http://127.0.0.1/a.png" alt="">',
        "links",
        11,
        "img[src]",
        "points to 127.0.0.1",
    ),
    (
        "javascript",
        "index.html",
        '<a href=" JaVa&#x09;Script&colon;alert(1)">x</a>',
        "links",
        11,
        "a[href]",
        "javascript: URL",
    ),
    (
        "data image",
        "index.html",
        '<img src="data:image/png;base64,AA==" alt="">',
        "links",
        11,
        "img[src]",
        "data: URL",
    ),
    (
        "ftp",
        "index.html",
        '<a href="ftp://example.org/f">x</a>',
        "links",
        11,
        "a[href]",
        "ftp: URL",
    ),
    (
        "missing anchor",
        "index.html",
        '<a href="/posts/first/#nope">x</a>',
        "anchors",
        11,
        "a[href]",
        "no element with id 'nope' in posts/first/index.html",
    ),
    (
        "same-page anchor",
        "index.html",
        '<a href="#later">x</a>',
        "anchors",
        11,
        "a[href]",
        "no element with id 'later' in index.html",
    ),
    (
        "missing image",
        "index.html",
        '<img src="/images/gone.png" alt="">',
        "assets",
        11,
        "img[src]",
        "refers to images/gone.png, which is not in the built site",
    ),
    (
        "missing srcset",
        "index.html",
        '<img src="/images/logo.png" srcset="/images/logo.png 1x, /images/3x.png 3x" '
        'alt="">',
        "assets",
        11,
        "img[srcset]",
        "images/3x.png",
    ),
    (
        "missing style url",
        "index.html",
        "<style>\n.a { background: url('/images/bg.jpg') }</style>",
        "assets",
        12,
        "url()",
        "images/bg.jpg",
    ),
    (
        "parse error",
        "index.html",
        "<div>x</span></div>",
        "html",
        11,
        "parse",
        "Unexpected end tag (span). Ignored.",
    ),
    (
        "duplicate id",
        "index.html",
        '<p id="a">x</p>\n<p id="a">y</p>',
        "html",
        12,
        "id",
        "duplicate id 'a' (first used on line 11)",
    ),
    (
        "second main",
        "index.html",
        "</main><main>",
        "html",
        11,
        "main",
        "page has 2 visible <main> elements",
    ),
    (
        "image without alt",
        "index.html",
        '<img src="/images/logo.png">',
        "html",
        11,
        "img[alt]",
        "has no alt attribute",
    ),
    (
        "inline script",
        "index.html",
        "<script>alert(1)</script>",
        "html",
        11,
        "script",
        "inline <script> code",
    ),
    (
        "event handler",
        "index.html",
        '<p onclick="go()">x</p>',
        "html",
        11,
        "p[onclick]",
        "event handler attribute onclick=",
    ),
    (
        "target blank",
        "index.html",
        '<a href="https://x.org/" target="_blank">x</a>',
        "html",
        11,
        "a[rel]",
        'has no rel="noopener"',
    ),
    (
        "bad JSON-LD",
        "index.html",
        '<script type="application/ld+json">{"a": }</script>',
        "html",
        11,
        "script[type=ld+json]",
        "JSON-LD is not valid JSON",
    ),
    (
        "JSON-LD with </",
        "index.html",
        '<script type="application/ld+json">{"a": "</p>"}</script>',
        "html",
        11,
        "script[type=ld+json]",
        "contains '</'",
    ),
]


@pytest.mark.parametrize(
    ("path", "main", "check", "line", "field", "message"),
    [case[1:] for case in BROKEN_PAGES],
    ids=[case[0] for case in BROKEN_PAGES],
)
def test_broken_page_gives_one_problem(
    tmp_path: Path,
    path: str,
    main: str,
    check: str,
    line: int,
    field: str,
    message: str,
) -> None:
    files = clean_files()
    files[path] = html_page("<h1>Broken</h1>" + main)
    problem = only_problem(check_site(write_tree(tmp_path, files), site_url=SITE_URL))
    assert (problem.path, problem.check, problem.line, problem.field) == (
        path,
        check,
        line,
        field,
    )
    assert message in problem.message
    assert problem.is_error and problem.fix


BROKEN_HEADS = [
    # (what is wrong, replace this, by that, line, field, message part)
    (
        "no doctype",
        "<!DOCTYPE html>\n",
        "\n",
        1,
        "doctype",
        "does not start with <!DOCTYPE html> (found none)",
    ),
    (
        "old doctype",
        "<!DOCTYPE html>",
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN">',
        1,
        "doctype",
        "found <!DOCTYPE HTML PUBLIC",
    ),
    ("no lang", ' lang="en"', "", 2, "html[lang]", "<html> has no lang attribute"),
    (
        "two titles",
        "<title>Digest</title>",
        "<title>A</title><title>B</title>",
        6,
        "title",
        "page has 2 <title> elements",
    ),
    (
        "empty title",
        "<title>Digest</title>",
        "<title> </title>",
        6,
        "title",
        "<title> is empty",
    ),
    (
        "no charset",
        '<meta charset="utf-8">',
        '<meta charset="latin1">',
        None,
        "meta[charset]",
        'no <meta charset="utf-8">',
    ),
    (
        "no viewport",
        'name="viewport"',
        'name="description"',
        None,
        "meta[name=viewport]",
        "no <meta name=viewport>",
    ),
    ("no h1", "<h1>Digest</h1>", "<h2>Digest</h2>", None, "h1", "page has no <h1>"),
    (
        "missing stylesheet",
        "main.css",
        "gone.css",
        7,
        "link[href]",
        "theme/css/gone.css, which is not in the built site",
    ),
    (
        "missing canonical",
        '<link rel="stylesheet"',
        '<link rel="canonical" href="/old/"><link rel="stylesheet"',
        7,
        "link[href]",
        "leads to old/",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [case[1:] for case in BROKEN_HEADS],
    ids=[case[0] for case in BROKEN_HEADS],
)
def test_broken_page_frame_gives_one_problem(
    tmp_path: Path, old: str, new: str, line: int | None, field: str, message: str
) -> None:
    files = clean_files()
    files["extra.html"] = html_page().replace(old, new)
    problem = only_problem(check_site(write_tree(tmp_path, files), site_url=SITE_URL))
    assert (problem.path, problem.line, problem.field) == ("extra.html", line, field)
    assert message in problem.message


def test_css_file_reference_is_checked_with_its_line(tmp_path: Path) -> None:
    files = clean_files()
    files["theme/css/main.css"] = (
        MAIN_CSS + "\n.x { background: url('../img/x.svg') }\n"
    )
    problem = only_problem(check_site(write_tree(tmp_path, files), site_url=SITE_URL))
    assert (problem.path, problem.check, problem.line) == (
        "theme/css/main.css",
        "assets",
        7,
    )
    assert "theme/img/x.svg" in problem.message


def test_og_image_and_icon_are_assets(tmp_path: Path) -> None:
    files = clean_files()
    files["extra.html"] = html_page(
        head=f'<meta property="og:image" content="{SITE_URL}/images/card.png">\n'
        '<link rel="shortcut icon" href="/icon.svg">\n'
    )
    report = check_site(
        write_tree(tmp_path, files), site_url=SITE_URL, checks=["assets"]
    )
    assert [(p.line, p.field) for p in report.errors] == [
        (8, "meta[og:image]"),
        (9, "link[href]"),
    ]


def test_development_build_treats_production_urls_as_external(tmp_path: Path) -> None:
    files = clean_files()
    files["extra.html"] = html_page(f'<h1>A</h1><a href="{SITE_URL}/gone/">x</a>')
    assert check_site(write_tree(tmp_path, files), checks=["links"]).problems == []


def test_unknown_check_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown site check"):
        check_site(tmp_path, checks=["spelling"])


def test_command_line_prints_json_and_fails_on_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = clean_files()
    files["extra.html"] = html_page('<h1>A</h1><a href="/gone/">x</a>')
    write_tree(tmp_path, files)
    assert main([str(tmp_path), "--site-url", SITE_URL, "--format", "json"]) == 1
    output = json.loads(capsys.readouterr().out)
    assert output["summary"] == {"errors": 1, "warnings": 0}
    assert output["errors"][0]["path"] == "extra.html"


def test_command_line_passes_a_clean_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, clean_files())
    assert main([str(tmp_path), "--site-url", SITE_URL]) == 0
    assert capsys.readouterr().out.strip() == "No problems found."


#: What libxml2 says while a build writes a page, where html5lib says otherwise.
WHILE_WRITING = {"parse error": "Unexpected end tag : span"}


def check_while_writing(root: Path, files: dict[str, str]) -> Report:
    """The build's path: pages handed over as strings, the rest found on disk."""
    write_tree(root, files)
    checker = SiteChecker()
    for name, text in files.items():
        if name.endswith(".html"):
            checker.add_page(name, text)
    return checker.finish(root, site_url=SITE_URL)


@pytest.mark.parametrize(
    ("case", "path", "main", "check", "line", "field", "message"),
    BROKEN_PAGES,
    ids=[case[0] for case in BROKEN_PAGES],
)
def test_broken_page_is_found_while_writing(
    tmp_path: Path,
    case: str,
    path: str,
    main: str,
    check: str,
    line: int,
    field: str,
    message: str,
) -> None:
    files = clean_files()
    files[path] = html_page("<h1>Broken</h1>" + main)
    problem = only_problem(check_while_writing(tmp_path, files))
    assert (problem.path, problem.check, problem.line, problem.field) == (
        path,
        check,
        line,
        field,
    )
    assert WHILE_WRITING.get(case, message) in problem.message


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [case[1:] for case in BROKEN_HEADS],
    ids=[case[0] for case in BROKEN_HEADS],
)
def test_broken_page_frame_is_found_while_writing(
    tmp_path: Path, old: str, new: str, line: int | None, field: str, message: str
) -> None:
    files = clean_files()
    files["extra.html"] = html_page().replace(old, new)
    problem = only_problem(check_while_writing(tmp_path, files))
    assert (problem.path, problem.line, problem.field) == ("extra.html", line, field)
    assert message in problem.message


def test_clean_site_has_no_problems_while_writing(tmp_path: Path) -> None:
    report = check_while_writing(tmp_path, clean_files())
    assert report.problems == [], report.format_text()


def test_page_problems_name_the_content_file(tmp_path: Path) -> None:
    files = clean_files()
    files["posts/first/index.html"] = html_page(
        '<h1>First</h1><a href="/gone/">x</a><p id="details"></p><p id="details">'
    )
    write_tree(tmp_path, files)
    checker = SiteChecker()
    checker.add_page(
        "posts/first/index.html",
        files["posts/first/index.html"],
        source="content/items/first.md",
    )
    report = checker.finish(tmp_path, site_url=SITE_URL)
    assert sorted((p.check, p.source) for p in report.problems) == [
        ("html", "content/items/first.md"),
        ("links", "content/items/first.md"),
    ]
    assert "posts/first/index.html (from content/items/first.md)" in (
        report.format_text()
    )
    errors = json.loads(report.format_json())["errors"]
    assert {e["source"] for e in errors} == {"content/items/first.md"}


@pytest.mark.parametrize("checks", [None, ["links"]])
@pytest.mark.parametrize("html5", [False, True])
def test_page_too_deep_to_check_is_a_problem(
    tmp_path: Path, checks: list[str] | None, html5: bool
) -> None:
    """Past 2,048 levels libxml2 stops: what follows must not pass unchecked."""
    deep = "<div>" * 3000 + '<a href="javascript:alert(1)">x</a>' + "</div>" * 3000
    files = clean_files()
    files["deep.html"] = html_page("<h1>Deep</h1>" + deep)
    report = check_site(
        write_tree(tmp_path, files), site_url=SITE_URL, checks=checks, html5=html5
    )
    found = [p for p in report.errors if p.path == "deep.html" and p.field == "parse"]
    assert found, report.format_text()
    assert any("depth" in p.message or "deeply" in p.message for p in found)


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "Unexpected end tag (span). Ignored."), (["--no-html5"], "end tag : span")],
)
def test_command_line_chooses_the_markup_parser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    files = clean_files()
    files["extra.html"] = html_page("<h1>A</h1><div>x</span></div>")
    write_tree(tmp_path, files)
    assert main([str(tmp_path), "--site-url", SITE_URL, "--format", "json", *args]) == 1
    (error,) = json.loads(capsys.readouterr().out)["errors"]
    assert (error["path"], error["field"]) == ("extra.html", "parse")
    assert message in error["message"]


# --- Active markup: only the theme's own, never inside curated HTML -----------

from newsdigest.sitecheck.html import page_problems, theme_scripts  # noqa: E402
from newsdigest.sitecheck.page import scan_page  # noqa: E402

THEME_MARKUP = f"""<form class="site-search" role="search" action="{SITE_URL}/search/"
 method="get"><input type="search" name="q"></form>
<script src="{SITE_URL}/pagefind/pagefind-ui.js" defer></script>
<script src="../theme/js/search.js" defer></script>
<script type="application/ld+json">{{"@type": "NewsArticle"}}</script>
<svg><use href="#icon"></use></svg>
"""
ACTIVE_MARKUP = [
    # (what, markup, field of the one problem)
    ("script src", '<script src="https://evil.example/x.js"></script>', "script"),
    (
        "theme script, module",
        f'<script type="module" src="{SITE_URL}/theme/js/search.js"></script>',
        "script",
    ),
    ("inline script", "<script>alert(1)</script>", "script"),
    ("empty script", "<script></script>", "script"),
    ("iframe", '<iframe src="https://evil.example/"></iframe>', "iframe"),
    ("frame", '<frame src="https://evil.example/">', "frame"),
    ("object", '<object data="https://evil.example/x.swf"></object>', "object"),
    ("embed", '<embed src="https://evil.example/x.swf">', "embed"),
    ("post form", '<form action="https://evil.example/" method="post"></form>', "form"),
    ("base", '<base href="https://evil.example/">', "base"),
    (
        "meta refresh in body",
        '<meta http-equiv="refresh" content="0; url=/x">',
        "meta[http-equiv]",
    ),
    (
        "event handler",
        '<img src="/images/logo.png" alt="" onerror="alert(1)">',
        "img[onerror]",
    ),
    ("style", '<p style="position:fixed;inset:0">Log in</p>', "p[style]"),
    (
        "srcdoc",
        '<div srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></div>',
        "div[srcdoc]",
    ),
    (
        "svg use of another document",
        '<svg><use href="https://evil.example/s.svg#x"></use></svg>',
        "use",
    ),
    (
        "svg foreignObject",
        "<svg><foreignObject><p>x</p></foreignObject></svg>",
        "foreignobject",
    ),
]


def problems_of(
    main: str, *, path: str = "2022/01/a/index.html", head: str = ""
) -> list:
    page = scan_page(path, html_page("<h1>A</h1>\n" + main, head=head))
    return page_problems(page)


def test_the_theme_scripts_come_from_its_templates() -> None:
    assert theme_scripts() == {"pagefind/pagefind-ui.js", "theme/js/search.js"}


def test_the_theme_own_active_markup_passes() -> None:
    refresh = f'<meta http-equiv="refresh" content="0; url={SITE_URL}/a/">'
    assert problems_of(THEME_MARKUP, head=refresh) == []


@pytest.mark.parametrize(
    ("markup", "field"),
    [case[1:] for case in ACTIVE_MARKUP],
    ids=[case[0] for case in ACTIVE_MARKUP],
)
def test_active_markup_is_refused_anywhere(markup: str, field: str) -> None:
    (problem,) = problems_of(markup)
    assert (problem.check, problem.field, problem.line) == ("html", field, 12)


@pytest.mark.parametrize(
    ("markup", "field"),
    [
        (f'<script src="{SITE_URL}/theme/js/search.js" defer></script>', "script"),
        ('<script type="application/ld+json">{}</script>', "script"),
        ('<form role="search" method="get" action="/search/"></form>', "form"),
        ('<svg><use href="#icon"></use></svg>', "use"),
        ('<div class="card">x</div>', "body:div"),
        (
            '<a href="/a/" class="button" target="_blank" rel="noopener">x</a>',
            "body:a[class]",
        ),
        ('<img src="/images/logo.png" alt="" loading="lazy">', "body:img[loading]"),
    ],
    ids=[
        "theme script",
        "json-ld",
        "search form",
        "local use",
        "div",
        "class",
        "img attribute",
    ],
)
def test_inside_a_body_only_what_the_sanitiser_writes_passes(
    markup: str, field: str
) -> None:
    """Markup that passes elsewhere on a page is refused in curated HTML."""
    assert problems_of(markup) == []
    body = f'<div class="item__body prose">\n<p>Text.</p>\n{markup}\n</div>'
    problems = problems_of(body)
    assert field in {p.field for p in problems}
    assert {p.line for p in problems} == {14}


def test_an_email_page_keeps_its_inlined_styles_only_outside_the_body() -> None:
    styled = '<p style="margin:0">Hi</p>'
    assert problems_of(styled, path="editions/2022-W01/email.html") == []
    body = f'<div class="prose">{styled}</div>'
    (problem,) = problems_of(body, path="editions/2022-W01/email.html")
    assert problem.field == "p[style]"


def test_a_script_from_another_site_is_refused_by_the_assets_check(
    tmp_path: Path,
) -> None:
    files = clean_files()
    files["index.html"] = html_page(
        '<h1>A</h1>\n<script src="https://evil.example/theme/js/search.js"></script>'
    )
    problem = only_problem(check_site(write_tree(tmp_path, files), site_url=SITE_URL))
    assert (problem.check, problem.field) == ("assets", "script[src]")
    assert "from another site" in problem.message


def test_a_stylesheet_from_another_site_is_refused_by_the_assets_check(
    tmp_path: Path,
) -> None:
    files = clean_files()
    files["about.html"] = html_page(
        '<h1>About</h1>\n<a name="team">Team</a>',
        head='<link rel="stylesheet" href="https://evil.example/x.css">\n',
    )
    problem = only_problem(check_site(write_tree(tmp_path, files), site_url=SITE_URL))
    assert (problem.check, problem.field) == ("assets", "link[href]")


@pytest.mark.parametrize(
    ("head", "refused"),
    [
        (
            '<meta http-equiv="Content-Security-Policy" content="img-src \'self\'">',
            False,
        ),
        ('<meta http-equiv="set-cookie" content="session=x">', True),
        ('<meta http-equiv="default-style" content="evil">', True),
    ],
    ids=["csp-allowed", "set-cookie", "default-style"],
)
def test_in_the_head_only_a_refresh_or_a_policy_may_be_set(head: str, refused: bool):
    """A Content-Security-Policy only ever takes away (the host policy of
    newsdigest.publishing.hosts); any other http-equiv is refused."""
    fields = [p.field for p in problems_of("<p>x</p>", head=head)]
    assert fields == (["meta[http-equiv]"] if refused else [])


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("https://e.org/a?x=1&y=2", (4, "source_url")),
        ("https://e.org/tag", (6, "tags")),
        ("/2099/01/nope/", (9, "body")),
        ("https://nowhere.example/", None),
    ],
)
def test_a_url_is_located_in_the_item_that_holds_it(url, found):
    from newsdigest.sitecheck.checker import locate_in_source

    lines = [
        "---",
        "title: T",
        "summary: S",
        "source_url: https://e.org/a?x=1&amp;y=2",
        "tags:",
        "  - https://e.org/tag",
        "---",
        "Text.",
        "See [x](/2099/01/nope/).",
    ]
    assert locate_in_source(lines, url) == found

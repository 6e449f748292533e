"""Unit tests for newsdigest.model.sanitize: Markdown in, publishable HTML out."""

from __future__ import annotations

import re

import pytest

from newsdigest.model.sanitize import render_markdown, sanitise_html

REL = 'rel="noopener noreferrer"'


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)</script>ok", "ok"),
        ("<style>p { color: red }</style>ok", "ok"),
        ('<iframe src="https://x.org">inside</iframe>ok', "ok"),
        ("<object>inside</object>ok", "ok"),
        ("<embed>ok", "ok"),
        ('<form action="/x"><input name="a">label</form>ok', "ok"),
        ("<button>press</button>ok", "ok"),
        ("<svg><script>alert(1)</script></svg>ok", "ok"),
        ("<noscript>hidden</noscript>ok", "ok"),
        ("<template>hidden</template>ok", "ok"),
        ("<textarea>typed</textarea>ok", "ok"),
    ],
)
def test_dangerous_elements_are_removed_with_their_content(html, expected):
    assert sanitise_html(html) == expected


@pytest.mark.parametrize(
    "attribute",
    [
        'onclick="steal()"',
        'onmouseover="steal()"',
        'ONLOAD="steal()"',
        'style="background: url(javascript:x)"',
        'class="x"',
        'id="x"',
    ],
)
def test_event_handlers_and_presentational_attributes_are_dropped(attribute):
    assert sanitise_html(f"<p {attribute}>text</p>") == "<p>text</p>"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#X6a;&#x61;vascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java&#9;script:alert(1)",
        "java&#x0A;script:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "DATA:text/html,x",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "//evil.example/",
        "ftp://files.example.org/x",
    ],
)
def test_unsafe_link_loses_its_href_and_rel(href):
    # rel without href would be invalid HTML, so the anchor is left bare.
    assert sanitise_html(f'<a href="{href}">x</a>') == "<a>x</a>"


def test_mailto_link_is_kept():
    html = '<a href="mailto:editors@example.org">write</a>'
    assert sanitise_html(html) == (
        f'<a href="mailto:editors@example.org" {REL}>write</a>'
    )


@pytest.mark.parametrize(
    "src",
    [
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "Data:image/svg+xml,<svg/>",
        "vbscript:x",
        "&#x6A;avascript:x",
    ],
)
def test_unsafe_image_source_is_dropped(src):
    assert sanitise_html(f'<img src="{src}" alt="a">') == '<img alt="a">'


@pytest.mark.parametrize("cite", ["javascript:x", "data:text/html,x"])
def test_unsafe_quote_citation_is_dropped(cite):
    assert (
        sanitise_html(f'<blockquote cite="{cite}">q</blockquote>')
        == "<blockquote>q</blockquote>"
    )


@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/story",
        "http://example.org/story",
        "HTTPS://EXAMPLE.ORG/story",
        "../other-story/",
        "/topics/world/",
        "story.html",
        "#section",
        "?page=2",
    ],
)
def test_safe_link_is_kept_with_noopener(href):
    assert sanitise_html(f'<a href="{href}">x</a>') == f'<a href="{href}" {REL}>x</a>'


def test_own_rel_and_target_are_replaced_by_noopener():
    assert (
        sanitise_html('<a href="x.html" rel="opener" target="_blank">x</a>')
        == f'<a href="x.html" {REL}>x</a>'
    )


def test_ampersand_in_kept_link_stays_escaped_once():
    assert (
        sanitise_html('<a href="https://a.example/?x=1&amp;y=2">q</a>')
        == f'<a href="https://a.example/?x=1&amp;y=2" {REL}>q</a>'
    )


@pytest.mark.parametrize(
    "href",
    [
        "/\\evil.example/",  # WHATWG: "\" is "/" in http(s) URLs -> //evil.example
        "\\\\evil.example/",
        "/\t/evil.example/",  # browsers delete tabs and newlines anywhere in a URL
        "/\n/evil.example/",
    ],
)
def test_disguised_protocol_relative_link_loses_its_href(href):
    assert sanitise_html(f'<a href="{href}">x</a>') == "<a>x</a>"


@pytest.mark.parametrize(
    "html",
    [
        "<h2>Two</h2><h3>Three</h3><h4>Four</h4><h5>Five</h5><h6>Six</h6>",
        '<blockquote cite="https://example.org/speech"><p>Quote.</p></blockquote>',
        "<pre><code>x = 1 &lt; 2\n</code></pre>",
        "<p><code>inline</code> <em>e</em> <strong>s</strong> <del>d</del> "
        "<ins>i</ins> <sub>2</sub> <sup>3</sup> <small>s</small></p>",
        '<figure><img src="images/map.png" alt="A map" width="600" height="400">'
        "<figcaption>The map.</figcaption></figure>",
        '<table><caption>Votes</caption><thead><tr><th scope="col">Party</th>'
        '</tr></thead><tbody><tr><td colspan="2">A</td></tr></tbody>'
        "<tfoot><tr><td>Total</td></tr></tfoot></table>",
        '<ol start="3" reversed=""><li>three</li></ol><ul><li>item</li></ul>',
        "<dl><dt>Term</dt><dd>Definition</dd></dl>",
        '<p><abbr title="North Atlantic Treaty Organization">NATO</abbr> '
        '<q cite="https://example.org/">q</q> <cite>Source</cite></p><hr>',
    ],
)
def test_editorial_elements_survive(html):
    assert sanitise_html(html) == html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<h1>Title</h1>", "Title"),
        ("<div><span>text</span></div>", "text"),
        ('<p><font color="red">red</font></p>', "<p>red</p>"),
        ("<!-- secret -->visible", "visible"),
    ],
)
def test_other_elements_are_unwrapped_and_comments_dropped(html, expected):
    assert sanitise_html(html) == expected


def test_markdown_table_renders_as_table():
    html = render_markdown("| Party | Seats |\n|:------|------:|\n| A | 10 |\n")
    assert re.sub(r"\s+", "", html) == (
        "<table><thead><tr><th>Party</th><th>Seats</th></tr></thead>"
        "<tbody><tr><td>A</td><td>10</td></tr></tbody></table>"
    )


def test_markdown_smart_punctuation():
    assert render_markdown("\"Yes\" -- it's 'fine' ... --- done") == (
        "<p>\u201cYes\u201d \u2013 it\u2019s \u2018fine\u2019 \u2026 \u2014 done</p>"
    )


def test_markdown_footnote_renders_reference_and_note():
    html = render_markdown("Claim[^1].\n\n[^1]: The evidence.\n")
    assert '<sup id="fnref:1"><a href="#fn:1"' in html
    assert '<li id="fn:1">\n<p>The evidence.' in html


def test_markdown_footnote_links_reach_their_targets():
    html = render_markdown("Claim[^1].\n\n[^1]: The evidence.\n")
    ids = set(re.findall(r'\bid="([^"]*)"', html))
    fragments = set(re.findall(r'href="#([^"]*)"', html))
    assert fragments
    assert fragments <= ids


def test_markdown_fenced_code_is_escaped_not_executed():
    html = render_markdown("```html\n<script>alert(1)</script>\n```\n")
    assert html == "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>"


def test_markdown_raw_html_goes_through_the_sanitiser():
    html = render_markdown(
        'Hi <img src=x onerror="alert(1)" alt="x"> '
        "[link](javascript:alert(1)) <script>alert(2)</script>\n"
    )
    assert "onerror" not in html
    assert "javascript" not in html
    assert "alert(2)" not in html


def test_markdown_footnotes_do_not_leak_between_calls():
    render_markdown("One[^a].\n\n[^a]: First note.\n")
    assert "First note" not in render_markdown("Two.\n")


# --- Pelican's link prefixes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "kept"),
    [
        ("![a]({static}/images/a.png)", '<img alt="a" src="{static}/images/a.png">'),
        (
            "[a]({filename}../pages/about.md#team)",
            'href="{filename}../pages/about.md#team"',
        ),
        ("[a](|static|images/a.png)", 'href="|static|images/a.png"'),
    ],
)
def test_plain_static_and_filename_links_are_kept(markdown, kept):
    links = []
    html = render_markdown(markdown, links=links)
    assert kept in html
    assert [link.kept for link in links] == [True]


@pytest.mark.parametrize(
    "markdown",
    [
        "[x]({}javascript:alert(1))",
        "[x](|window|javascript:alert(1))",
        "[x]({attach}../../x)",
        "[x]({index})",
        "[x]({tag}Python)",
        "[x]({static}javascript:alert(1))",
        "[x]({static}%2e%2e/x)",
        "[x]({static}a.png?x=1)",
        "[x]({static}images/a b.png)",
        "[x]({static}images/a.png#frag)",
        '<blockquote cite="{static}../x">q</blockquote>',
    ],
)
def test_other_prefixed_addresses_are_removed_and_reported(markdown):
    links = []
    html = render_markdown(markdown, links=links)
    assert "{" not in html and "|" not in html, html
    assert [link.kept for link in links] == [False]


def test_prefixes_hidden_in_other_attributes_are_neutralised():
    links = []
    html = render_markdown(
        "[t](https://e.com/ \"src='{static}../../x' data='|attach|y'\")", links=links
    )
    assert "&#123;static}../../x" in html and "&#124;attach|y" in html
    assert sorted((link.what, link.kept) for link in links) == [
        ("attach", False),
        ("static", False),
    ]


def test_feeds_carry_no_prefix():
    html = '<a href="{static}/images/a.png">a</a><img src="{filename}x.md" alt="">'
    assert "{" not in sanitise_html(html, base_url="https://d.org/")

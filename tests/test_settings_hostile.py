"""Hostile settings: every setting that reaches an email header, a file name, a
URL or markup is checked once, before anything is read, and each refusal names
the setting, its line in the settings file, what is wrong and the fix."""

from __future__ import annotations

import os

import pytest

from newsdigest.settings import site_settings_problems
from tests.helpers import item, output_of, run_module

GOOD = {"SITENAME": "Digest", "DEFAULT_LANG": "en", "TIMEZONE": "UTC"}

#: Values no one-line setting may hold, with the words of the refusal.
HOSTILE_TEXT = [
    ("A\r\nBcc: x@example.org", "line break"),
    ("A\nSitemap: http://evil.example/s.xml", "line break"),
    ("A\x00B", "invisible character (U+0000)"),
    ("A\x1b[31mB", "invisible character (U+001B)"),
    ("A\x85B", "invisible character (U+0085)"),
    ("A\u2028B", "invisible character (U+2028)"),
    ("evil\u202egpj.exe", "invisible character (U+202E)"),
    ("A\u2066B", "invisible character (U+2066)"),
    ("S</title><script>alert(1)</script>", "contains markup ('</"),
    ("S<!--", "contains markup ('<!"),
    ("S<img src=x onerror=alert(1)>", "contains markup ('<i"),
    ("x" * 5000, "5,000 characters long"),
    (5, "must be text, not int"),
    (["A"], "must be text, not list"),
]
HOSTILE_URLS = [
    ("javascript:alert(1)", "not an absolute http(s) URL"),
    ('https://a.example/"><script>', "not an absolute http(s) URL"),
    ("//evil.example", "not an absolute http(s) URL"),
    ("https://a.example/?x=1", "query or fragment"),
    ("https://a.example\r\nX-Evil: 1", "line break"),
]
HOSTILE_PATHS = [
    ("../../etc/{slug}.html", "'..' part"),
    ("tags/../../x/", "'..' part"),
    ("/etc/passwd", "not a path inside the site"),
    ("javascript:alert(1)//", "not a path inside the site"),
    ('tags/"><script>/', "quotes"),
    ("tags/\x00/", "invisible character"),
    ("a b/{slug}/", "spaces"),
    (5, "must be text"),
]
HOSTILE_LINKS = [
    (("x", "javascript:alert(1)"), "not an http(s) or mailto: link"),
    (("x", "data:text/html,<script>"), "not an http(s) or mailto: link"),
    (("x\r\ny", "https://a.example/"), "line break"),
    (("x",), "must be a (name, URL) pair"),
]

CASES = [
    *(
        (name, value, words)
        for name in ("SITENAME", "SITESUBTITLE", "AUTHOR")
        for value, words in HOSTILE_TEXT
    ),
    *(
        (name, value, words)
        for name in ("SITEURL", "FEED_DOMAIN")
        for value, words in HOSTILE_URLS
    ),
    *(
        (name, value, words)
        for name in (
            "TAG_SAVE_AS",
            "ARTICLE_URL",
            "FEED_ALL_ATOM",
            "EDITION_SAVE_AS",
            "THEME_STATIC_DIR",
        )
        for value, words in HOSTILE_PATHS
    ),
    *(
        (name, (pair,), words)
        for name in ("LINKS", "SOCIAL", "MENUITEMS")
        for pair, words in HOSTILE_LINKS
    ),
    ("PAGINATION_PATTERNS", ((2, "../{number}/", "x/index.html"),), "'..' part"),
    ("PAGINATION_PATTERNS", ((2, "p/{number}/", "/tmp/{number}.html"),), "inside"),
    ("DEFAULT_LANG", 'en"><script>', "not a language tag"),
    ("DEFAULT_LANG", "en\nX-Evil: 1", "not a language tag"),
    ("DEFAULT_LANG", None, "not a language tag"),
    ("TIMEZONE", "UTC\r\nX", "not a known time zone"),
    ("TIMEZONE", "../../etc/passwd", "not a known time zone"),
    ("TIMEZONE", 3, "not a known time zone"),
]


@pytest.mark.parametrize(("name", "value", "words"), CASES)
def test_each_hostile_setting_is_refused_by_name(name, value, words):
    (problem,) = site_settings_problems({**GOOD, name: value})
    assert problem.field.split("[")[0] == name
    assert words in problem.message
    assert problem.fix and problem.check == "settings"
    assert "Error" not in problem.message  # no raw exception text


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("footer", "Built\r\nBcc: x@example.org"),
        ("site_description", "A\u202eB"),
        ("id_authority", "a\x00b"),
        ("footer", "<script>alert(1)</script>"),
    ],
)
def test_strings_inside_digest_dicts_are_refused_by_key(key, value):
    (problem,) = site_settings_problems({**GOOD, "DIGEST_CONTENT": {key: value}})
    assert problem.field == f'DIGEST_CONTENT["{key}"]'


def test_nested_digest_values_are_named_down_to_the_item():
    settings = {**GOOD, "DIGEST_FEEDS": {"formats": ["atom", "rss\n"]}}
    (problem,) = site_settings_problems(settings)
    assert problem.field == 'DIGEST_FEEDS["formats"][1]'


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SITENAME", 'Tom & Jerry\'s "Digest" a < b ]]> -->'),  # escaped where written
        ("SITENAME", "Noticias de Sao Paulo \u00e9 \u05e9\u05dc\u05d5\u05dd"),
        ("SITEURL", ""),
        ("SITEURL", "https://digest.example.org/news"),
        ("ARTICLE_URL", "{date:%Y}/{date:%m}/{slug}/"),
        ("YEAR_ARCHIVE_SAVE_AS", ""),
        ("FEED_ALL_ATOM", None),
        ("LINKS", (("Pelican", "https://getpelican.com/"), ("Us", "/about/"))),
        ("SOCIAL", (("Mail", "mailto:editor@example.org"),)),
        ("DEFAULT_LANG", "pt-BR"),
        ("TIMEZONE", "America/Sao_Paulo"),
        ("PAGINATION_PATTERNS", ((1, "{url}", "{save_as}"),)),
    ],
)
def test_ordinary_settings_pass(name, value):
    assert site_settings_problems({**GOOD, name: value}) == []


# --- Whole builds ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ('SITENAME = "A\\nBcc: x@example.org"', "SITENAME", "line break"),
        ("AUTHOR = 5", "AUTHOR", "must be text, not int"),
        ('LINKS = (("x", "javascript:alert(1)"),)', "LINKS[0]", "mailto: link"),
        ('TAG_SAVE_AS = "../../x/{slug}.html"', "TAG_SAVE_AS", "'..' part"),
        ('DEFAULT_LANG = "en\\r\\nX: y"', "DEFAULT_LANG", "not a language tag"),
    ],
)
def test_a_hostile_setting_stops_the_build_naming_file_line_and_setting(
    make_project, line, field, words
):
    project = make_project()
    project.write("content/items/a.md", item(slug="a"))
    assert project.build().returncode == 0
    before = os.readlink(project.output)
    settings = project.root / "pelicanconf.py"
    text = settings.read_text()
    settings.write_text(text + line + "\n")
    number = len(text.splitlines()) + 1
    result = project.build()
    out = output_of(result)
    assert result.returncode != 0
    assert "The settings are invalid; nothing was built" in out
    assert "  pelicanconf.py\n" in out
    assert f"line {number} [{field}]: " in out and words in out
    assert "fix: " in out
    for raw in ("Traceback", "ValueError", "TypeError", "Header values"):
        assert raw not in out
    assert os.readlink(project.output) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", [["edition", "next"], ["send-edition", "2022-W01", "--to", "a@b.org"]]
)
def test_commands_that_read_the_settings_refuse_them_by_name(make_project, command):
    """``newsdigest send-edition`` and the other commands read the settings
    without a build: the same check runs there, before anything is sent."""
    project = make_project()
    settings = project.root / "pelicanconf.py"
    text = settings.read_text()
    settings.write_text(text + 'SITENAME = "A\\r\\nBcc: x@example.org"\n')
    result = run_module(
        "newsdigest", *command, "-s", "pelicanconf.py", "--project", str(project.root)
    )
    out = output_of(result)
    assert result.returncode == 1
    assert "The settings are invalid" in out
    assert f"line {len(text.splitlines()) + 1} [SITENAME]: contains a line break" in out
    assert "Traceback" not in out and "Header values" not in out

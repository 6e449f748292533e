"""Unit tests for the whole-site checks (newsdigest.model.site), on plain data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsdigest.model.frontmatter import Document
from newsdigest.model.ordering import order_key
from newsdigest.model.site import (
    address_problems,
    duplicate_problems,
    site_problems,
    symlink_problems,
)
from newsdigest.model.spellings import canonical_spellings
from newsdigest.problems import SourceFile
from newsdigest.problems import content_path as display_path

SLUG_SUBS = [
    (r"[^\w\s-]", ""),
    (r"(?u)\A\s*", ""),
    (r"(?u)\s*\Z", ""),
    (r"[-\s]+", "-"),
]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = (tmp_path / "content").resolve()
    (root / "items").mkdir(parents=True)
    return root


def site_settings(root: Path) -> dict:
    return {
        "PATH": str(root),
        "DIRECT_TEMPLATES": ["index", "tags", "categories", "archives", "404"],
        "INDEX_SAVE_AS": "index.html",
        "TAGS_SAVE_AS": "tags/index.html",
        "CATEGORIES_SAVE_AS": "topics/index.html",
        "ARCHIVES_SAVE_AS": "archive/index.html",
        "AUTHORS_SAVE_AS": "",
        "SLUG_REGEX_SUBSTITUTIONS": SLUG_SUBS,
    }


# --- display_path ------------------------------------------------------------------


def test_display_path_is_relative_to_the_project(content):
    settings = site_settings(content)
    assert display_path(settings, str(content / "items" / "a.md")) == (
        "content/items/a.md"
    )
    assert display_path(settings, "/somewhere/else/b.md") == "/somewhere/else/b.md"


# --- canonical_spellings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["NATO", "nato", "NATO"], {"nato": "NATO"}),
        (["nato", "Nato", "nato", "NATO"], {"nato": "nato"}),
        (["Nato", "NATO"], {"nato": "NATO"}),  # tie: sorted first
        (["nato", "Nato"], {"nato": "Nato"}),  # tie: "N" sorts before "n"
        (
            ["EU", "eu", "Climate", "climate", "climate"],
            {"eu": "EU", "climate": "climate"},
        ),
        (["New  York", "new york"], {"new york": "New  York"}),
        ([], {}),
    ],
)
def test_canonical_spelling_is_the_most_used_one(names, expected):
    assert canonical_spellings(names) == expected


# --- order_key ----------------------------------------------------------------------


def entry(item_id, day, hour=12, tz=dt.UTC):
    return SimpleNamespace(
        item_id=item_id,
        date=dt.datetime(2022, 1, day, hour, tzinfo=tz),
        source_path=f"content/items/{item_id}.md",
    )


def test_order_is_newest_first_with_ties_by_item_id():
    items = [
        entry("tag:x,2026:item:b", 3),
        entry("tag:x,2026:item:c", 5),
        entry("tag:x,2026:item:a", 3),
        entry("tag:x,2026:item:d", 4),
    ]
    assert [i.item_id[-1] for i in sorted(items, key=order_key)] == ["c", "d", "a", "b"]


def test_order_compares_instants_not_wall_clock_times():
    paris = dt.timezone(dt.timedelta(hours=1))
    early_in_paris = entry("b", 3, hour=12, tz=paris)  # 11:00 UTC
    later_in_utc = entry("a", 3, hour=11, tz=dt.UTC)  # same instant
    newer = entry("c", 3, hour=11, tz=dt.timezone(dt.timedelta(hours=-1)))  # 12:00
    ordered = sorted([early_in_paris, newer, later_in_utc], key=order_key)
    assert [i.item_id for i in ordered] == ["c", "a", "b"]


def test_order_of_content_without_item_id_falls_back_to_source_path():
    page = SimpleNamespace(
        date=dt.datetime(2022, 1, 1, tzinfo=dt.UTC), source_path="content/pages/x.md"
    )
    assert order_key(page) == (-page.date.timestamp(), "content/pages/x.md")


# --- symlink_problems --------------------------------------------------------------


def test_every_link_is_found_once_and_outside_ones_say_so(content, tmp_path):
    outside_file = tmp_path / "secret.md"
    outside_file.write_text("secret")
    outside_dir = tmp_path / "elsewhere"
    outside_dir.mkdir()
    (outside_dir / "x.md").write_text("x")
    (content / "items" / "real.md").write_text("real")
    (content / "items" / "leak.md").symlink_to(outside_file)
    (content / "linked-dir").symlink_to(outside_dir, target_is_directory=True)
    (content / "items" / "alias.md").symlink_to(content / "items" / "real.md")
    (content / "items-alias").symlink_to(content / "items", target_is_directory=True)
    (content / "relative.md").symlink_to(Path("..") / "secret.md")

    problems = symlink_problems(content, "content")

    inside = "is a symbolic link; content/ may not contain links."
    assert [(p.path, p.message) for p in problems] == [
        ("content/items-alias", inside),
        ("content/linked-dir", "is a symbolic link to outside content/."),
        ("content/relative.md", "is a symbolic link to outside content/."),
        ("content/items/alias.md", inside),
        ("content/items/leak.md", "is a symbolic link to outside content/."),
    ]
    assert all(p.fix for p in problems)


def test_dangling_link_pointing_outside_is_found(content):
    (content / "gone.md").symlink_to("/nonexistent/newsdigest/gone.md")
    assert [p.path for p in symlink_problems(content, "content")] == ["content/gone.md"]


def test_tree_without_links_has_no_problems(content):
    (content / "items" / "a.md").write_text("a")
    assert symlink_problems(content, "content") == []


# --- duplicate_problems --------------------------------------------------------------


def doc(root, name, save_as, source_url=None, source=None):
    return SimpleNamespace(
        source_path=str(root / "items" / name),
        save_as=save_as,
        source_url=source_url,
        source=source,
    )


def test_two_files_writing_one_path_are_both_reported(content):
    problems = duplicate_problems(
        [
            doc(content, "b.md", "2022/01/talks/index.html"),
            doc(content, "a.md", "2022/01/talks/index.html"),
            doc(content, "c.md", "2022/01/other/index.html"),
        ],
        site_settings(content),
    )
    assert [(p.path, p.field, p.message) for p in problems] == [
        (
            "content/items/a.md",
            "slug",
            "writes to 2022/01/talks/index.html, as does content/items/b.md.",
        ),
        (
            "content/items/b.md",
            "slug",
            "writes to 2022/01/talks/index.html, as does content/items/a.md.",
        ),
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://example.com/story", "https://example.com/story"),
        ("https://www.example.com/story/", "http://EXAMPLE.com/story#comments"),
    ],
)
def test_two_items_about_one_original_are_both_reported(content, first, second):
    problems = duplicate_problems(
        [
            doc(content, "a.md", "a/index.html", first),
            doc(content, "b.md", "b/index.html", second),
        ],
        site_settings(content),
    )
    assert [(p.path, p.field, p.message) for p in problems] == [
        (
            "content/items/a.md",
            "source_url",
            "points to the same original as content/items/b.md.",
        ),
        (
            "content/items/b.md",
            "source_url",
            "points to the same original as content/items/a.md.",
        ),
    ]


def test_different_originals_and_paths_are_fine(content):
    problems = duplicate_problems(
        [
            doc(content, "a.md", "a/index.html", "https://example.com/a", "AP"),
            doc(content, "b.md", "b/index.html", "https://example.com/a?page=2", "AP"),
            doc(content, "p.md", "about/index.html"),
        ],
        site_settings(content),
    )
    assert problems == []


@pytest.mark.parametrize(
    "save_as", ["index.html", "tags/index.html", "topics/./index.html", "404.html"]
)
def test_item_taking_a_site_page_path_is_reported(content, save_as):
    problems = duplicate_problems(
        [doc(content, "a.md", save_as)], site_settings(content)
    )
    assert [(p.path, p.message) for p in problems] == [
        (
            "content/items/a.md",
            f"writes to {save_as}, which the site uses for its own page.",
        )
    ]


def test_two_spellings_of_one_outlet_sharing_an_address_are_reported(content):
    problems = duplicate_problems(
        [
            doc(content, "a.md", "a/index.html", "https://e.com/a", "AP"),
            doc(content, "b.md", "b/index.html", "https://e.com/b", "A.P."),
            doc(content, "c.md", "c/index.html", "https://e.com/c", "ap"),
        ],
        site_settings(content),
    )
    assert sorted((p.path, p.field) for p in problems) == [
        ("content/items/a.md", "source"),
        ("content/items/b.md", "source"),
        ("content/items/c.md", "source"),
    ]
    assert problems[0].message == (
        "the outlet names 'A.P.', 'AP', 'ap' all make the address sources/ap/."
    )


# --- SourceFile: one content file named once --------------------------------------


def test_a_source_file_is_named_once_in_every_form(content, tmp_path):
    """Through a link to the project the content folder has two spellings; the
    file is relative to it either way, and shown as the settings spell it."""
    (content / "pages").mkdir()
    linked = tmp_path / "project-link"
    linked.symlink_to(content.parent, target_is_directory=True)
    settings = {"PATH": str(linked / "content"), "PAGE_PATHS": ["pages"]}

    item = SourceFile.at(settings, str(content / "items" / "a.md"))
    page = SourceFile.at(settings, str(linked / "content" / "pages" / "about.md"))
    outside = SourceFile.at(settings, "/somewhere/else/b.md")

    assert (item.shown, item.relative, item.folder, item.page) == (
        "content/items/a.md",
        "items/a.md",
        "items",
        False,
    )
    assert (page.shown, page.relative, page.folder, page.page) == (
        "content/pages/about.md",
        "pages/about.md",
        "pages",
        True,
    )
    assert (outside.shown, outside.relative, outside.folder, outside.page) == (
        "/somewhere/else/b.md",
        None,
        "",
        False,
    )
    assert item.base == linked / "content"
    assert [display_path(settings, s.path) for s in (item, page, outside)] == [
        item.shown,
        page.shown,
        outside.shown,
    ]


# --- address_problems: an item's addresses, on plain values -----------------------


def test_names_that_make_no_usable_address_are_refused_with_their_line(content):
    doc = Document(
        "content/items/a.md",
        {"title": "!!!", "tags": ["C++", "nul"], "source": "..."},
        {"title": 2, "tags": 3, "source": 4},
    )
    values = {"title": "!!!", "tags": ["C++", "ok", "NUL"], "source": "..."}

    problems = address_problems(doc, values, site_settings(content))

    assert [(p.path, p.line, p.field, p.message) for p in problems] == [
        (
            "content/items/a.md",
            2,
            "title",
            "has no letters or digits to make an address from.",
        ),
        (
            "content/items/a.md",
            3,
            "tags[2]",
            "makes the address 'nul', a name Windows cannot use.",
        ),
        (
            "content/items/a.md",
            4,
            "source",
            "has no letters or digits to make an address from.",
        ),
    ]


def test_an_explicit_slug_spares_the_title_check(content):
    doc = Document("content/items/a.md", {"title": "!!!", "slug": "x"}, {"title": 2})
    assert address_problems(doc, {"title": "!!!"}, site_settings(content)) == []


# --- site_problems: every whole-site rule, in one list ------------------------------


def test_every_whole_site_rule_reports_in_one_call(content, tmp_path):
    (content / "items" / "notes.txt").write_text("not markdown")
    (content / "items" / "alias.md").symlink_to(content / "items" / "a.md")
    (content / "images").mkdir()
    (content / "images" / "x.exe").write_bytes(b"MZ")
    settings = {
        **site_settings(content),
        "ARTICLE_PATHS": ["items"],
        "PAGE_PATHS": [],
        "STATIC_PATHS": ["images"],
        "IGNORE_FILES": [],
    }
    contents = [
        doc(content, "a.md", "x/index.html"),
        doc(content, "b.md", "x/index.html"),
    ]
    statics = [SimpleNamespace(source_path=str(content / "images" / "x.exe"))]

    problems = site_problems(contents, statics, settings)

    assert sorted({p.path for p in problems}) == [
        "content/images/x.exe",
        "content/items/a.md",
        "content/items/alias.md",
        "content/items/b.md",
        "content/items/notes.txt",
    ]

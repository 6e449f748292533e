"""Aliases and address records (newsdigest.model.addresses): which old addresses may
redirect, and when a changed address is an error.
"""

from __future__ import annotations

import pytest

from newsdigest.model.addresses import (
    Addressed,
    alias_collision_problems,
    alias_path_problem,
    alias_save_as,
    changed_address_problems,
    vanished_problems,
)
from newsdigest.problems import WARNING
from tests.helpers import checked


# --- Aliases: the rules ----------------------------------------------------------
@pytest.mark.parametrize(
    "alias", ["/2022/01/old-slug/", "2022/01/old-slug", "old/page.html", "a_b/c~d/"]
)
def test_alias_paths_inside_the_site_are_accepted(alias):
    assert alias_path_problem(alias) is None


@pytest.mark.parametrize(
    ("alias", "reason"),
    [
        ("https://evil.example/x/", "another site"),
        ("//evil.example/x/", "another site"),
        ("javascript:alert(1)", "another site"),
        ("JaVa&#x53;cript:alert(1)", "another site"),
        ("/\\evil.example/", "another site"),
        ("../../etc/", "plain path"),
        ("2022/../../x/", "plain path"),
        ("2022/./x/", "plain path"),
        ("2022//x/", "plain path"),
        ("/", "plain path"),
        ("a b/", "spaces"),
        ("a\tb/", "spaces"),
        ("x/?q=1", "query"),
        ("x/#top", "fragment"),
        ("%2e%2e/x/", "percent"),
        ("x/<script>/", "not allowed"),
        (["list"], "as text"),
        (3, "as text"),
    ],
)
def test_alias_paths_outside_the_site_are_refused(alias, reason):
    assert reason in (alias_path_problem(alias) or "")


@pytest.mark.parametrize(
    ("alias", "save_as"),
    [
        ("/2022/01/old/", "2022/01/old/index.html"),
        ("2022/01/old", "2022/01/old/index.html"),
        ("/old/page.html", "old/page.html"),
    ],
)
def test_alias_pages_are_written_where_servers_look(alias, save_as):
    assert alias_save_as(alias) == save_as


def test_aliases_in_front_matter_are_validated_with_their_line():
    result = checked(aliases=["/2022/01/old/", "https://evil.example/"])
    assert result.values["aliases"] == ["/2022/01/old/"]
    (problem,) = result.problems
    assert problem.field == "aliases[1]" and problem.line == 8
    assert "another site" in problem.message


def test_an_alias_written_twice_is_kept_once():
    result = checked(aliases=["/2022/01/old/", "2022/01/old", "/other/"])
    assert result.ok
    assert result.values["aliases"] == ["/2022/01/old/", "/other/"]


def test_a_changed_address_is_an_error_unless_the_old_one_is_an_alias():
    previous = {"id1": "2022/01/old/", "id2": "2022/01/same/"}
    moved = Addressed("id1", "2022/01/new/", "content/items/a.md")
    same = Addressed("id2", "2022/01/same/", "content/items/b.md")
    (problem,) = changed_address_problems([moved, same], previous)
    assert problem.path == "content/items/a.md"
    assert "/2022/01/old/ to /2022/01/new/" in problem.message
    assert "aliases" in problem.fix
    kept = Addressed("id1", "2022/01/new/", "a.md", aliases=("2022/01/old",))
    assert changed_address_problems([kept], previous) == []
    assert changed_address_problems([moved], None) == []  # first build


def test_vanished_items_are_named_by_address():
    (problem,) = vanished_problems(["id2"], {"id1": "2021/12/gone/", "id2": "x/"})
    assert problem.path == "/2021/12/gone/" and problem.severity == WARNING


def test_vanished_items_say_why_by_their_file():
    previous = {"a": "2022/01/a/", "b": "2022/01/b/", "c": "2022/01/c/"}
    sources = {"a": "content/items/a.md", "b": "content/items/b.md"}
    problems = vanished_problems(
        [],
        previous,
        sources,
        failed={"content/items/a.md"},
        exists=lambda source: source == "content/items/a.md",
    )
    assert [(p.path, p.message) for p in problems] == [
        (
            "content/items/a.md",
            "is not in this build because it has errors (above); the previous "
            "build published it at /2022/01/a/.",
        ),
        (
            "/2022/01/b/",
            "was published by the previous build and is not in this one (its file "
            "content/items/b.md was removed).",
        ),
        (
            "/2022/01/c/",
            "was published by the previous build and is not in this one (its file "
            "was removed, or it became a draft or is dated in the future).",
        ),
    ]


def test_alias_collisions_are_refused():
    written = {"tags/index.html": "a page of the site"}
    items = [
        Addressed("a", "2022/01/a/", "a.md", aliases=("/tags/", "/2022/01/a/")),
        Addressed("b", "2022/01/b/", "b.md", aliases=("/old/",)),
        Addressed("c", "2022/01/c/", "c.md", aliases=("old",)),
    ]
    problems = alias_collision_problems(items, written)
    assert [(p.path, p.message) for p in problems] == [
        (
            "a.md",
            "/tags/ is already the address of a page of the site (/tags/index.html).",
        ),
        ("a.md", "/2022/01/a/ is the item's own address."),
        ("c.md", "/old is already an alias of b.md."),
    ]


@pytest.mark.parametrize(
    ("alias", "written", "message"),
    [
        # The same file however the alias spells it.
        ("/editions", "editions/index.html", "is already the address of x"),
        ("/editions/", "editions/index.html", "is already the address of x"),
        ("/editions/index.html", "editions/index.html", "is already the address"),
        ("/Editions/", "editions/index.html", "is already the address of x"),
        ("/caf\u00e9/", "cafe\u0301/index.html", "is already the address of x"),
        ("/a/b/", "a//./b/index.html", "is already the address of x"),
        ("/a/b/", "a/%62/index.html", "is already the address of x"),
        # A folder where the site has a file, a file where it has a folder.
        ("/robots.txt", "robots.txt", "would need a folder /robots.txt/"),
        ("/ROBOTS.TXT/", "robots.txt", "would need a folder /robots.txt/"),
        ("/feeds/all.atom.xml/x/", "feeds/all.atom.xml", "would need a folder"),
        ("/a.html", "a.html/index.html", "would be a file where the site has a folder"),
    ],
)
def test_alias_collisions_see_through_equivalent_paths(alias, written, message):
    item = Addressed("a", "2022/01/a/", "a.md", aliases=(alias,))
    (problem,) = alias_collision_problems([item], {written: "x"})
    assert message in problem.message
    assert (problem.path, problem.field) == ("a.md", "aliases")
    assert "Remove the alias" in problem.fix


def test_aliases_beside_the_sites_files_are_free():
    item = Addressed("a", "2022/01/a/", "a.md", aliases=("/robots/", "/editions-old/"))
    written = {"robots.txt": "x", "editions/index.html": "x", "editions.xml": "x"}
    assert alias_collision_problems([item], written) == []

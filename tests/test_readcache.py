"""The cache of read items (newsdigest.engine.readcache) and the reader that uses it."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from newsdigest.engine.readcache import (
    FOLDER,
    Entry,
    ItemCache,
    dependencies,
    entry_key,
    remove_cache,
)
from newsdigest.model.sanitize import render_markdown
from tests.helpers import item, tree

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def entries(project) -> list[Path]:
    return sorted((project.root / "cache" / FOLDER).rglob("*.pickle"))


# --- The library -------------------------------------------------------------


def test_a_stored_result_is_loaded_back(tmp_path: Path):
    cache = ItemCache(tmp_path / "c")
    cache.store("ab" * 32, ("ok", "<p>x</p>", {"title": "T"}), ())
    assert cache.load("ab" * 32, tmp_path) == ("ok", "<p>x</p>", {"title": "T"})
    assert (cache.hits, cache.misses) == (1, 0)


def test_an_absent_key_is_a_miss(tmp_path: Path):
    cache = ItemCache(tmp_path / "c")
    assert cache.load("cd" * 32, tmp_path) is None
    assert cache.misses == 1


def test_corrupt_and_truncated_entries_are_misses(tmp_path: Path):
    cache = ItemCache(tmp_path / "c")
    for n, damage in enumerate(
        [
            lambda data: data[: len(data) // 2],
            lambda data: b"not a pickle at all",
            lambda data: b"",
            lambda data: pickle.dumps({"an": "other object"}),
        ]
    ):
        key = f"{n:02d}" * 32
        cache.store(key, ("ok", "<p>x</p>"), ())
        path = next((tmp_path / "c").rglob(f"{key}.pickle"))
        path.write_bytes(damage(path.read_bytes()))
        assert cache.load(key, tmp_path) is None


class _Planted:
    def __reduce__(self):
        return (os.system, ("touch planted",))


def test_a_planted_entry_cannot_run_code(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = ItemCache(tmp_path / "c")
    key = "ef" * 32
    cache.store(key, "x", ())
    path = next((tmp_path / "c").rglob(f"{key}.pickle"))
    path.write_bytes(pickle.dumps(Entry(_Planted(), ())))
    assert cache.load(key, tmp_path) is None
    assert not (tmp_path / "planted").exists()


def test_an_entry_whose_linked_file_changed_is_a_miss(tmp_path: Path):
    (tmp_path / "images").mkdir()
    image = tmp_path / "images" / "a.png"
    image.write_bytes(PNG)
    cache = ItemCache(tmp_path / "c")
    cache.store("aa" * 32, "fresh", dependencies(tmp_path, ["images/a.png"]))
    assert cache.load("aa" * 32, tmp_path) == "fresh"
    image.write_bytes(PNG + b"more")
    assert cache.load("aa" * 32, tmp_path) is None
    image.unlink()
    cache.store("bb" * 32, "missing", dependencies(tmp_path, ["images/a.png"]))
    assert cache.load("bb" * 32, tmp_path) == "missing"
    image.write_bytes(PNG)
    assert cache.load("bb" * 32, tmp_path) is None


def test_the_key_follows_bytes_and_every_part():
    base = entry_key(b"---\ntitle: A\n---\n", ["items/a.md", "UTC"])
    assert base == entry_key(b"---\ntitle: A\n---\n", ["items/a.md", "UTC"])
    assert base != entry_key(b"---\ntitle: B\n---\n", ["items/a.md", "UTC"])
    assert base != entry_key(b"---\ntitle: A\n---\n", ["items/b.md", "UTC"])
    assert base != entry_key(b"---\ntitle: A\n---\n", ["items/a.md", "Europe/Paris"])


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path):
    (tmp_path / "c").write_text("a file where the folder should be")
    cache = ItemCache(tmp_path / "c")
    cache.store("ab" * 32, "x", ())
    assert cache.load("ab" * 32, tmp_path) is None


# --- One converter, no state between items -------------------------------------


def test_footnotes_and_abbreviations_do_not_leak_between_items():
    first = render_markdown("A claim.[^1]\n\n[^1]: The note.\n\n*[NATO]: The pact\n")
    assert "The note." in first
    second = render_markdown("NATO met.")
    assert second == "<p>NATO met.</p>"


def test_a_fresh_converter_renders_as_the_reused_one():
    import markdown

    from newsdigest.model.sanitize import MARKDOWN_EXTENSIONS, sanitise_html

    texts = ['"Quoted" -- and...', "Note.[^a]\n\n[^a]: x", "*[UN]: U\n\nUN", "- a\n- b"]
    for text in texts + texts:
        fresh = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
        assert render_markdown(text) == sanitise_html(fresh.convert(text))


# --- Builds ---------------------------------------------------------------------


@pytest.mark.slow
def test_cold_warm_and_uncached_builds_are_byte_identical(make_project):
    project = make_project(sample=True)
    settings = project.root / "pelicanconf.py"
    conf = settings.read_text()
    off = '\nDIGEST_CONTENT = {**DIGEST_CONTENT, "cache": False}\n'
    settings.write_text(conf + off)
    assert project.build().returncode == 0
    settings.write_text(conf)
    uncached = tree(project.output, reproducible=True)
    assert not entries(project)
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    cold = tree(project.output, reproducible=True)
    stored = entries(project)
    read = [*project.content.glob("items/*.md"), *project.content.glob("pages/*.md")]
    assert len(stored) == len(read)
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree(project.output, reproducible=True) == cold == uncached
    assert entries(project) == stored


@pytest.mark.slow
def test_a_warm_build_reads_from_the_cache(make_project):
    project = make_project()
    project.write("content/items/a.md", item(title="The first title"))
    assert project.build().returncode == 0
    (path,) = entries(project)
    # The entry, not the file, is what a warm build uses: change the entry's body.
    entry = pickle.loads(path.read_bytes())
    kind, body, *rest = entry.result
    entry.result = (kind, body.replace("Our summary", "Cached summary"), *rest)
    path.write_bytes(pickle.dumps(entry))
    assert project.build().returncode == 0
    assert "Cached summary" in project.page("2022/01/the-first-title/index.html")


@pytest.mark.slow
def test_an_edited_item_is_read_again(make_project):
    project = make_project()
    project.write("content/items/a.md", item(title="The first title"))
    assert project.build().returncode == 0
    project.write("content/items/a.md", item(title="The first title", body="New.\n"))
    assert project.build().returncode == 0
    assert "<p>New.</p>" in project.page("2022/01/the-first-title/index.html")


@pytest.mark.slow
def test_problems_come_back_from_the_cache(make_project):
    project = make_project()
    project.write("content/items/a.md", item(topic="nowhere"))
    first = project.build()
    second = project.build()
    assert first.returncode == second.returncode == 1
    assert "nowhere" in first.stdout + first.stderr

    def problems(result) -> list[str]:
        text = result.stdout + result.stderr
        return [line.split("]", 1)[-1] for line in text.splitlines() if "a.md" in line]

    assert problems(first)
    assert problems(first) == problems(second)


@pytest.mark.slow
def test_a_removed_image_is_found_by_a_warm_build(make_project):
    project = make_project()
    project.write("content/images/a.png", PNG)
    project.write(
        "content/items/a.md",
        item(
            image={"src": "images/a.png", "alt": "A", "credit": "Me"},
            body="See ![the chart]({static}/images/a.png).\n",
        ),
    )
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    (project.content / "images" / "a.png").unlink()
    result = project.build()
    assert result.returncode == 1
    assert "images/a.png" in result.stdout + result.stderr
    assert "does not exist" in result.stdout + result.stderr


@pytest.mark.slow
def test_a_linked_item_added_later_is_found_by_a_warm_build(make_project):
    project = make_project()
    project.write(
        "content/items/a.md",
        item(title="First", body="See [the other]({filename}/items/b.md).\n"),
    )
    assert project.build().returncode == 1
    project.write("content/items/b.md", item(title="Other", source_url="https://x.org"))
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_a_changed_setting_is_not_served_from_the_cache(make_project):
    project = make_project()
    project.write("content/items/a.md", item(date="2022-01-05T10:00:00"))
    assert project.build().returncode == 0
    utc = project.page("2022/01/a-story/index.html")
    assert project.build(TIMEZONE="America/New_York").returncode == 0
    assert project.page("2022/01/a-story/index.html") != utc


def test_remove_cache_keeps_what_others_cached(tmp_path: Path):
    cache = ItemCache(tmp_path / "cache" / FOLDER)
    cache.store("ab" * 32, "x", ())
    (tmp_path / "cache" / "pelican-own").write_text("kept")
    assert remove_cache(tmp_path / "cache")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["pelican-own"]
    (tmp_path / "cache" / "pelican-own").unlink()
    cache.store("ab" * 32, "x", ())
    assert remove_cache(tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
    assert not remove_cache(tmp_path / "cache")


class _Escape:
    """getattr(object, '__subclasses__') is the first step out of a pickle jail."""

    def __reduce__(self):
        return (getattr, (object, "__subclasses__"))


def test_an_entry_reaching_for_other_globals_is_a_miss(tmp_path: Path):
    cache = ItemCache(tmp_path / "c")
    for n, payload in enumerate([_Escape(), os.getcwd, render_markdown, Path("x")]):
        key = f"{n:02d}" * 32
        cache.store(key, "x", ())
        path = next((tmp_path / "c").rglob(f"{key}.pickle"))
        path.write_bytes(pickle.dumps(Entry(payload, ())))
        assert cache.load(key, tmp_path) is None


def test_dates_with_zones_come_back(tmp_path: Path):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from newsdigest.dates import DayDate

    values = [
        dt.datetime(2022, 1, 5, 10, tzinfo=ZoneInfo("Europe/Lisbon")),
        DayDate.start_of(dt.date(2022, 1, 5), ZoneInfo("UTC")),
        dt.datetime(2022, 1, 5, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        {"a", "b"},
    ]
    cache = ItemCache(tmp_path / "c")
    cache.store("ab" * 32, values, ())
    assert cache.load("ab" * 32, tmp_path) == values


@pytest.mark.slow
def test_a_damaged_entry_of_another_shape_is_read_again(make_project):
    project = make_project()
    project.write("content/items/a.md", item(title="The first title"))
    assert project.build().returncode == 0
    for shape in [("ok", "<p>only two</p>"), ("skip", ["not a problem"]), "text"]:
        for path in entries(project):
            entry = pickle.loads(path.read_bytes())
            entry.result = shape
            path.write_bytes(pickle.dumps(entry))
        result = project.build()
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert "Our summary" in project.page("2022/01/the-first-title/index.html")


def test_a_conversion_cut_short_leaves_the_next_one_clean():
    """The thread's converter is dropped after an interrupted conversion: here
    one made slow on purpose (a preprocessor that never returns), so the next
    text is rendered by a fresh converter, not by the one whose state is unknown."""
    import time

    from markdown.preprocessors import Preprocessor

    from newsdigest.model import sanitize
    from newsdigest.model.body import render_body

    class Stuck(Preprocessor):
        def run(self, lines: list[str]) -> list[str]:
            time.sleep(3600)
            return lines

    render_markdown("warm")
    sanitize._CONVERTERS.md.preprocessors.register(Stuck(), "stuck", 100)
    body, why = render_body("a[^1]\n\n[^1]: x", [], seconds=0.05)
    assert body is None and "to render" in why
    assert render_markdown("*a*") == "<p><em>a</em></p>"


def test_the_cache_setting_is_checked_once_with_its_key():
    from newsdigest.settings import content_settings

    config, report = content_settings(
        {"DIGEST_CONTENT": {"id_authority": "example.org,2026", "cache": "no"}}
    )
    assert [str(p) for p in report.problems] == [
        'settings: [DIGEST_CONTENT["cache"]] must be bool, not str. Fix: Default: True.'
    ]
    assert config["cache"] is True

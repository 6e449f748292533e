"""newsdigest.engine.runstate: every run starts from a fresh state, as ``pelican -r``
runs one Pelican object many times, with or without the publish plugin."""

from __future__ import annotations

import contextlib

import pytest

from newsdigest.engine.runstate import STATE, BuildState, start_run
from newsdigest.model.ordering import order_key
from newsdigest.problems import DigestError, Problem
from newsdigest.siteconf import PLUGINS
from tests.helpers import PINNED_ENV, TOPICS, item


def test_start_run_forgets_the_previous_run():
    state = BuildState()
    state.report.add(Problem("content/items/a.md", message="broken."))
    state.counts["items"] = 3
    state.notes.append("waiting: ...")
    state.addresses["tag:x"] = "2022/01/a/"
    state.written["index.html"] = object()
    state._topics = ({}, [])
    state.reset()
    assert (state.report.problems, state.counts, state.notes) == ([], {}, [])
    assert (state.addresses, state.written, state._topics) == ({}, {}, None)
    assert state.runs == 1


def test_start_run_resets_the_shared_state():
    STATE.counts["items"] = 99
    runs = STATE.runs
    start_run(object())
    assert STATE.counts == {}
    assert STATE.runs == runs + 1


@pytest.mark.slow
@pytest.mark.parametrize("publish", [True, False], ids=["with-publish", "without"])
def test_one_pelican_object_many_runs(make_project, monkeypatch, publish):
    """What ``pelican -r`` does: ``initialized`` once, then ``run()`` per edit."""
    from pelican import Pelican
    from pelican.settings import read_settings

    for key, value in PINNED_ENV.items():
        monkeypatch.setenv(key, value)
    project = make_project()
    project.write("content/items/a.md", item(title="Alpha"))
    plugins = [p for p in PLUGINS if publish or p != "newsdigest.plugins.publish"]
    monkeypatch.chdir(project.root)
    settings = read_settings(
        "pelicanconf.py",
        override={"PLUGINS": plugins, "DIGEST_SEARCH": {"enabled": False}},
    )
    pelican = Pelican(settings)
    runs = STATE.runs
    # Newest first, ties stable, whichever plugins run (the reader sets it).
    assert pelican.settings["ARTICLE_ORDER_BY"] is order_key

    pelican.run()
    assert STATE.runs == runs + 1
    assert STATE.counts["items"] == 1
    assert STATE.report.errors == []

    # An edit with a mistake: the run stops, naming only that file.
    beta = item(title="Beta", topic="energy", source_url="https://example.com/b")
    project.write("content/items/b.md", beta)
    with pytest.raises(DigestError):
        pelican.run()
    assert STATE.runs == runs + 2
    assert [p.path for p in STATE.report.errors] == ["content/items/b.md"]

    # The curator adds the topic: the next run reads topics.yml again, and
    # starts with no problem left over from the failed run.
    project.write(
        "content/topics.yml",
        TOPICS + "energy:\n  name: Energy\n  description: Power.\n  order: 3\n",
    )
    with contextlib.suppress(FileNotFoundError):
        (project.output / "index.html").unlink()
    pelican.run()
    assert STATE.runs == runs + 3
    assert STATE.report.errors == []
    assert STATE.counts["items"] == 2
    assert "Beta" in project.page("topics/energy/index.html")


def test_late_generators_run_in_one_order_whoever_sorts_first():
    """Sitemaps, then the search index, then alias redirects (checked against
    every file written before them), after Pelican's generators; each plugin
    connects ``run_late``, and sorting again changes nothing."""
    from types import SimpleNamespace

    from newsdigest.engine.runstate import run_late

    articles, static = SimpleNamespace(name="articles"), SimpleNamespace(name="static")
    aliases = SimpleNamespace(name="aliases", run_late=3)
    sitemaps = SimpleNamespace(name="sitemaps", run_late=1)
    search = SimpleNamespace(name="search", run_late=2)
    generators = [aliases, articles, search, static, sitemaps]
    for _ in range(3):
        run_late(generators)
        assert [g.name for g in generators] == [
            "articles",
            "static",
            "sitemaps",
            "search",
            "aliases",
        ]

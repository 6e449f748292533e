"""Benchmark: where a development build of N items spends its time.

Usage: python -m benchmarks.build [--items 1000] [--repeat 3]

Writes the seeded corpus of ``benchmarks/corpus.py`` as a newsdigest project in a
temporary folder, then times a full development build (reading, validation,
rendering, feeds, site checks, swap), the same build without site checks, and
``check_site`` alone on the output. Prints the median of ``--repeat`` runs. For
the comparison with vanilla Pelican and Hugo, and warm and incremental builds,
use ``python -m benchmarks.bench`` (``invoke bench``); tests never assert timings.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.bench import BenchError, measure, site_pages
from benchmarks.corpus import make_items, make_newsdigest_project
from newsdigest.engine.run import pelican_command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    build = pelican_command("pelicanconf.py")
    no_checks = pelican_command(
        "pelicanconf.py",
        overrides={"DIGEST_PUBLISH": {"checks": [], "max_page_loss": 1.0}},
    )
    check = [
        sys.executable,
        "-m",
        "newsdigest.sitecheck",
        "output",
        "--site-url",
        "http://127.0.0.1:8000",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = make_newsdigest_project(Path(tmp), make_items(args.items))
        try:
            results = {
                "build (with checks)": [
                    measure(build, root).wall_s for _ in range(args.repeat)
                ],
                "build (no checks)": [
                    measure(no_checks, root).wall_s for _ in range(args.repeat)
                ],
                "check_site only": [
                    measure(check, root).wall_s for _ in range(args.repeat)
                ],
            }
        except BenchError as error:
            print(f"build benchmark: {error}", file=sys.stderr)
            return 1
        pages = site_pages(root / "output")["html"]
    print(f"{args.items} items, {pages} HTML pages, median of {args.repeat} runs")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"  {name:22s} {median:7.2f} s   ({pages / median:7.0f} pages/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

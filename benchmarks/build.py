"""Benchmark: build a synthetic digest of N items and time each stage.

Usage: python benchmarks/build.py [--items 1000] [--repeat 3]

Generates a project with N valid items across the sample topics (tags, sources and
dates spread like real content) in a temporary folder, then times a full
development build (reading, validation, rendering, feeds, site checks, swap) and
the same build without site checks, plus ``check_site`` alone on the output.
Prints the median of ``--repeat`` runs. Numbers go into issue notes before and
after speed-relevant changes; tests never assert timings.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORDS = [
    "talks",
    "security",
    "budget",
    "climate",
    "energy",
    "health",
    "clinic",
    "data",
    "market",
    "prices",
    "minister",
    "council",
    "report",
    "study",
    "policy",
    "court",
    "vote",
    "trade",
    "water",
    "schools",
]


def make_project(root: Path, items: int) -> None:
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(REPO / name, root / name)
    content = root / "content"
    (content / "items").mkdir(parents=True)
    shutil.copytree(REPO / "content" / "pages", content / "pages")
    shutil.copy(REPO / "content" / "topics.yml", content / "topics.yml")
    topics = ["geopolitics", "economy", "climate", "technology", "health"]
    rng = random.Random(42)
    for n in range(items):
        words = rng.sample(WORDS, 6)
        day = 1 + n % 28
        month = 1 + (n // 28) % 12
        year = 2020 + n // (28 * 12)
        tags = ", ".join(f'"{w.title()}"' for w in rng.sample(WORDS, 3))
        body = "\n\n".join(
            " ".join(rng.choices(WORDS, k=60)).capitalize() + "." for _ in range(4)
        )
        (content / "items" / f"item-{n:05d}.md").write_text(
            f"""---
title: "{" ".join(words).capitalize()} {n}"
date: {year}-{month:02d}-{day:02d}T{n % 24:02d}:00:00+00:00
topic: {topics[n % len(topics)]}
summary: "A synthetic item about {words[0]} and {words[1]}."
source: Outlet {n % 40}
source_url: https://example.com/news/{n}
tags: [{tags}]
---
{body}

> "A quote about {words[2]}."

— Someone, to Outlet {n % 40}
"""
        )


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(result.stdout[-3000:] + result.stderr[-3000:])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env_cmd = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py"]
    no_checks = ["-e", 'DIGEST_PUBLISH={"checks": [], "max_page_loss": 1.0}']
    check_cmd = [
        sys.executable,
        "-m",
        "newsdigest.sitecheck",
        "output",
        "--site-url",
        "http://127.0.0.1:8000",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, args.items)
        os.environ.setdefault("PYTHONHASHSEED", "0")
        results = {
            "build (with checks)": [timed(env_cmd, root) for _ in range(args.repeat)],
            "build (no checks)": [
                timed(env_cmd + no_checks, root) for _ in range(args.repeat)
            ],
            "check_site only": [timed(check_cmd, root) for _ in range(args.repeat)],
        }
        pages = sum(1 for _ in (root / "output").rglob("*.html"))
    print(f"{args.items} items, {pages} HTML pages, median of {args.repeat} runs")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"  {name:22s} {median:7.2f} s   ({pages / median:7.0f} pages/s)")


if __name__ == "__main__":
    main()

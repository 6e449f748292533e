"""Run many independent jobs on every core, in processes forked after the build
has made everything the jobs need.

Rendering and checking a page needs the whole site context (every item, tag and
setting). Forked workers start with it already in memory (copy-on-write); only
each job's small result comes back through a pipe. Forking a process that runs
other threads can deadlock, so a threaded caller, a small batch or a platform
without ``fork`` (or macOS, whose system libraries are not fork-safe) runs the
jobs here, one after another, with the same results.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

log = logging.getLogger(__name__)

#: Below this many jobs, starting workers costs more than it saves.
PARALLEL_MIN_JOBS = 200

_JOBS: Sequence[Any] = ()
_RUN: Callable[[Any], Any] | None = None


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Fork only where it is safe: no other thread but daemon helpers such as
    the progress display Pelican runs with ``rich`` (the worker never touches
    what they hold: its log records travel back to this process)."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and sys.platform != "darwin"
        and threading.current_thread() is threading.main_thread()
        and all(thread.daemon for thread in others)
    )


class _Collector(logging.Handler):
    """In a worker: keeps log records to send back with the job's result."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


_COLLECTOR: _Collector | None = None


def _collect_logs() -> _Collector:
    """Route every log record of this worker to one collector: the console and
    the handlers of the parent (locks another thread may have held at the
    fork) are never used here."""
    global _COLLECTOR
    if _COLLECTOR is None:
        _COLLECTOR = _Collector()
        for logger in logging.Logger.manager.loggerDict.values():
            if isinstance(logger, logging.Logger):
                logger.handlers = []
        logging.root.handlers = [_COLLECTOR]
    return _COLLECTOR


def _run_one(index: int) -> tuple[int, Any, list[tuple[str, int, str]]]:
    assert _RUN is not None
    collector = _collect_logs()
    collector.records = []
    return index, _RUN(_JOBS[index]), collector.records


def run_all(
    jobs: Sequence[Any], run: Callable[[Any], Any], workers: int | None = None
) -> Iterator[tuple[int, Any]]:
    """``(index, run(job))`` for every job, in any order.

    ``run`` must not raise (return the error instead) and must return a
    picklable result; it sees the process as it was when ``run_all`` was called.
    """
    global _JOBS, _RUN
    if workers is None:
        workers = usable_cpus() if len(jobs) >= PARALLEL_MIN_JOBS else 1
    if workers < 2 or not can_fork():
        for index, job in enumerate(jobs):
            yield index, run(job)
        return
    _JOBS, _RUN = jobs, run
    # Objects made so far are the site, shared by the workers until written
    # to: keep the collector from walking (and so copying) them in each worker.
    gc.freeze()
    try:
        chunksize = max(1, len(jobs) // (workers * 8))
        log.debug("%d jobs in %d processes", len(jobs), workers)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for index, result, records in pool.imap_unordered(
                _run_one, range(len(jobs)), chunksize
            ):
                for name, level, message in records:
                    logging.getLogger(name).log(level, "%s", message)
                yield index, result
    finally:
        gc.unfreeze()
        _JOBS, _RUN = (), None

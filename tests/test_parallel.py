"""Jobs on every core: the same results as one after another, log records
carried back from the workers, and no fork where it is not safe."""

from __future__ import annotations

import logging
import os
import threading

import pytest

from newsdigest.engine import parallel


def square_and_pid(number: int) -> tuple[int, int]:
    if number == 3:
        logging.getLogger("newsdigest.test").warning("three is odd")
    return number * number, os.getpid()


def test_forked_workers_give_the_serial_results_and_their_log_records(caplog):
    if not parallel.can_fork():
        pytest.skip("this test process cannot fork safely (threads)")
    jobs = list(range(40))
    with caplog.at_level(logging.WARNING, logger="newsdigest.test"):
        results = dict(parallel.run_all(jobs, square_and_pid, workers=2))
    assert {i: square for i, (square, _) in results.items()} == {i: i * i for i in jobs}
    assert os.getpid() not in {pid for _, pid in results.values()}
    assert [r.getMessage() for r in caplog.records] == ["three is odd"]


def test_small_batches_run_here() -> None:
    results = dict(parallel.run_all([1, 2], square_and_pid))
    assert {pid for _, pid in results.values()} == {os.getpid()}


def test_no_fork_beside_a_thread_that_is_not_a_daemon() -> None:
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not parallel.can_fork()
        results = dict(parallel.run_all(list(range(5)), square_and_pid, workers=2))
        assert {pid for _, pid in results.values()} == {os.getpid()}
    finally:
        stop.set()
        worker.join()

"""Worker pools: a failed pool is ended without waiting on a worker that will not finish; a
closed one is not waited for."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from wirereader.core.workers import exit_with, stop, worker_context


def _busy(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_failed_pool_is_stopped_without_waiting_for_its_busy_worker() -> None:
    """Our workers ignore SIGTERM (Ctrl-C and SIGTERM are the parent's), so the executor's
    own way of ending them does nothing, and `shutdown(wait=True)` waits on the task; a worker
    blocked writing a result nobody reads never ends at all. `stop` must kill it."""
    pool = ProcessPoolExecutor(
        1, mp_context=worker_context(), initializer=exit_with, initargs=(os.getpid(),)
    )
    started = pool.submit(_busy, 0.0).result(timeout=60)  # the worker exists and took a task
    busy = pool.submit(_busy, 600.0)
    time.sleep(0.5)  # the worker is inside the long task
    workers = list(pool._processes.values())
    assert [w.pid for w in workers] == [started]

    stopper = threading.Thread(target=stop, args=(pool,), daemon=True)
    stopper.start()
    stopper.join(timeout=30)  # a guard, not a timing: the old shutdown(wait=True) took 600 s

    assert not stopper.is_alive()
    assert not any(worker.is_alive() for worker in workers)
    assert not busy.done() or busy.exception() is not None  # it never returned a result


def _close_while_busy(
    pool: ProcessPoolExecutor, close: Callable[[], None]
) -> tuple[float, list[Any]]:
    """Close a pool whose one worker is inside a 3 s task; how long `close` took, and the
    worker processes."""
    pool.submit(_busy, 0.0).result(timeout=60)  # the worker exists
    pool.submit(_busy, 3.0)
    time.sleep(0.3)  # the worker is inside the task
    workers = list(pool._processes.values())
    began = time.monotonic()
    close()
    return time.monotonic() - began, workers


def test_a_parse_pool_closes_without_waiting_for_its_workers_to_exit() -> None:
    """A refresh's last step (the analysis of the entries left) comes after the parse pool's
    close: it no longer waits there for the workers to finish and exit. They still exit: the
    executor's thread joins them once they have."""
    from wirereader.ingest import parse_pool

    pools = parse_pool.ParsePool()
    pools.workers = 1
    old = parse_pool.START_IN_BACKGROUND
    parse_pool.START_IN_BACKGROUND = False
    try:
        assert pools._start_workers() is not None
    finally:
        parse_pool.START_IN_BACKGROUND = old
    assert pools._pool is not None
    took, workers = _close_while_busy(pools._pool, pools.close)
    assert took < 2.0  # with shutdown(wait=True): the task's 3 s
    for worker in workers:
        worker.join(timeout=30)
        assert not worker.is_alive()


def test_the_analysis_s_worker_is_closed_without_waiting_for_it_to_exit() -> None:
    from wirereader.analysis.prepare_pool import PreparePool

    prepare = PreparePool()
    assert prepare._pool is not None
    took, workers = _close_while_busy(prepare._pool, prepare.close)
    assert took < 2.0
    for worker in workers:
        worker.join(timeout=30)
        assert not worker.is_alive()

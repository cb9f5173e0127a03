"""Worker pools: a failed pool is ended without waiting on a worker that will not finish."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

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

"""Worker processes: started safely (forkserver), and ended when their parent ends.

A worker blocked on its task queue never notices its parent being killed (SIGKILL runs no
clean-up, and the queue's pipe stays open in the worker itself), so without this a killed
`wirereader fetch` would leave parser processes behind, holding its terminal's pipes open.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

# Modules the forkserver imports once, so that workers forked from it start in milliseconds.
# One forkserver serves every pool of a process, so every pool's modules are imported there.
# worker_signals comes first: the forkserver must ignore Ctrl-C before its slow imports;
# worker_preload imports the parse and analysis workers' modules.
PRELOAD = [
    "wirereader.core.worker_signals",
    "wirereader.ingest.worker_preload",
]
# Imported after them when a pool's workers will prepare the analysis (a first fetch's parse
# workers, the analysis's worker): the gazetteer and the kind model, loaded once for them all.
ANALYSIS_DATA = "wirereader.ingest.worker_analysis_data"
_analysis_data = False  # asked for by a pool of this process: kept for the forkserver's start


def worker_context(analysis_data: bool = False) -> BaseContext:
    """A forkserver context (spawn where there is none), never a plain fork: the refresh runs
    fetch threads, and the reader calls it from a worker thread, so forking is unsafe.

    `analysis_data`: the workers will prepare the analysis, so the forkserver loads its data
    (if it has not started yet: the first pool to start it decides; a worker loads what its
    forkserver did not)."""
    global _analysis_data
    if "forkserver" in multiprocessing.get_all_start_methods():
        _analysis_data = _analysis_data or analysis_data
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([*PRELOAD, ANALYSIS_DATA] if _analysis_data else PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def parent_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed parent nobody has reaped yet is a zombie: as good as gone
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def exit_with(parent_pid: int, interval: float = 0.25) -> None:
    """Leave interrupts to the parent, and end this process once `parent_pid` is gone.

    Ctrl-C signals the terminal's whole process group: a worker raising KeyboardInterrupt on
    its own printed one traceback per worker while the parent was already ending the run and
    shutting its pools down (which ends the workers cleanly, semaphores released). SIGTERM is
    the parent's to handle the same way; a parent that dies outright is noticed by the thread.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def watch() -> None:
        while parent_alive(parent_pid):
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def stop(pool: ProcessPoolExecutor) -> None:
    """Shut down a pool that failed, without waiting on its workers.

    After a failure, `shutdown(wait=True)` can wait for ever. The executor then ends its workers
    with SIGTERM, which they ignore (`exit_with`), and joins them; a worker blocked writing a
    finished result into the pipe nobody reads any more never exits. Seen with py-spy on a 40k
    analysis run: the main thread in `shutdown`, the executor's thread joining the worker, the
    worker in `_sendback_result`. So the workers are killed first (SIGKILL cannot be ignored),
    and the pool is shut down without waiting; the caller does the work in-process.
    """
    workers = list((getattr(pool, "_processes", None) or {}).values())  # no public accessor
    for worker in workers:
        with contextlib.suppress(OSError, ValueError):  # already gone, or already closed
            worker.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            worker.join(timeout=1.0)  # reaped, so no zombie is left behind

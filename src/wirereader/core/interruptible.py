"""Waits that Ctrl-C and SIGTERM can end, for the main thread.

Python runs a signal's handler in the main thread, and a main thread blocked in a lock (a
`Condition.wait()` or `Future.result()` without a timeout) wakes for it only when the kernel
delivers the signal to that very thread. A terminal's Ctrl-C goes to the process, and the kernel
hands it to any thread that does not block it: with fetch threads, pool threads and the
progress bar's thread around, mostly another one. The handler then waited for the next event:
behind a stalled server, up to the 30 s header deadline (`fetch` hung after Ctrl-C in about one
run in fifteen on a loaded machine, caught with py-spy in `_Scheduler.results`). A wait here is
a loop of short waits, so a pending signal is handled within TICK seconds.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")

TICK = 0.2  # seconds: how late Ctrl-C may be noticed; the waits cost nothing in between


def wait_until(condition: threading.Condition, ready: Callable[[], bool]) -> None:
    """`condition.wait_for(ready)`, in short waits. Call it with the condition held."""
    while not ready():
        condition.wait(TICK)


def result_of(future: Future[T]) -> T:
    """`future.result()`, in short waits (its own exceptions pass through)."""
    while not future.done():
        concurrent.futures.wait([future], timeout=TICK)
    return future.result()

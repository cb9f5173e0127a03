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
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")

TICK = 0.2  # seconds: how late Ctrl-C may be noticed; the waits cost nothing in between


# Interrupts raised where Python could not pass them on (see `keep_swallowed_interrupts`)
_swallowed: list[BaseException] = []
_hook_installed = False  # a test may call the command line's main again in one process


def keep_swallowed_interrupts() -> None:
    """Keep an interrupt that Python swallowed, for the main thread's next wait to raise.

    The handler of Ctrl-C or SIGTERM raises in whatever the main thread runs at that moment;
    in a finalizer or a garbage collector's callback Python cannot pass the exception on, and
    only reports it ("Exception ignored in ..."), so the interrupt was lost: `fetch` went on
    behind a stalled server (caught with py-spy in `_Scheduler.batches`, about one run in six
    on a loaded machine). The unraisable hook keeps such an interrupt instead."""
    global _hook_installed
    if _hook_installed:
        return
    _hook_installed = True
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
            _swallowed.append(unraisable.exc_value or unraisable.exc_type())
            return
        previous(unraisable)

    sys.unraisablehook = hook


def keep_interrupt(interrupt: KeyboardInterrupt) -> None:
    """Keep an interrupt that is about to be swallowed (raised inside a function SQLite calls,
    which SQLite turns into "user-defined function raised exception"), for the main thread
    to raise again where it can (`raise_kept_interrupt`, the next wait here)."""
    _swallowed.append(interrupt)


def raise_kept_interrupt() -> None:
    """Raise a kept interrupt, if any and if this is the main thread (once)."""
    if _swallowed and threading.current_thread() is threading.main_thread():
        interrupt = _swallowed[0]
        _swallowed.clear()
        raise interrupt


def wait_until(condition: threading.Condition, ready: Callable[[], bool]) -> None:
    """`condition.wait_for(ready)`, in short waits. Call it with the condition held."""
    while not ready():
        raise_kept_interrupt()
        condition.wait(TICK)


def result_of(future: Future[T]) -> T:
    """`future.result()`, in short waits (its own exceptions pass through)."""
    while not future.done():
        raise_kept_interrupt()
        concurrent.futures.wait([future], timeout=TICK)
    return future.result()

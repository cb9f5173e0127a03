"""Imported first by the forkserver (core.workers.PRELOAD): it leaves Ctrl-C and SIGTERM to the
process that runs the refresh or analysis, and keeps a worker that cannot start quiet.

Ctrl-C signals the terminal's whole process group. The forkserver spends its first second or
so importing the parsers; interrupted there, it printed a KeyboardInterrupt traceback of its own.
Ignored here, before those imports, the signals stay ignored in every worker forked from it too
(the forkserver hands its children the dispositions it started with). The parent ends the run
and shuts its pools down, which ends the workers.
"""

from __future__ import annotations

import os
import signal
import sys
from types import TracebackType

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _worker_could_not_start(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    """The forkserver hands a child that fails before its work begins to `sys.excepthook`.
    That happens when the parent ends while a worker is starting: its pool's semaphores are
    already released, and unpickling the worker's state fails (FileNotFoundError). The
    traceback landed in the user's terminal after the parent's one line ("terminated; ...").
    The parent needs no message: it sees the worker missing (BrokenProcessPool) and parses or
    prepares in-process. `WIREREADER_DEBUG=1` shows the traceback."""
    if os.environ.get("WIREREADER_DEBUG"):
        sys.__excepthook__(kind, value, tb)


sys.excepthook = _worker_could_not_start

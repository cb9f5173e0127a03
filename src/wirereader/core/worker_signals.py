"""Imported first by the forkserver (core.workers.PRELOAD): it leaves Ctrl-C and SIGTERM to the
process that runs the refresh or analysis.

Ctrl-C signals the terminal's whole process group. The forkserver spends its first second or
so importing the parsers; interrupted there, it printed a KeyboardInterrupt traceback of its own.
Ignored here, before those imports, the signals stay ignored in every worker forked from it too
(the forkserver hands its children the dispositions it started with). The parent ends the run
and shuts its pools down, which ends the workers.
"""

from __future__ import annotations

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)

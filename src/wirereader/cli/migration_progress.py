"""One line on stderr while a slow migration converts the cache (0004 took 60 s at 1M items, and
the reader or a command showed nothing meanwhile).

Quiet for a migration that ends within `DELAY` (every migration of a new or small cache). On a
terminal the line is rewritten in place with the share done and erased at the end; to a pipe or
a file (cron) it is written once, so a log gets one line, not a hundred.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

DELAY = 1.0  # seconds a migration runs before it is mentioned


class MigrationProgress:
    def __init__(self, stream: TextIO | None = None, delay: float = DELAY) -> None:
        self.stream = stream or sys.stderr
        self.delay = delay
        self.name = ""
        self.started = 0.0
        self.share = 0.0
        self.shown = False
        self.lock = threading.Lock()
        self.timer: threading.Timer | None = None

    def __call__(self, name: str, share: float) -> None:
        with self.lock:
            if name != self.name or share == 0.0:
                self._end()
                self.name, self.started, self.share, self.shown = name, time.monotonic(), 0.0, False
                # A migration that is one long statement reports nothing until it ends: the
                # timer says it is running.
                self.timer = threading.Timer(self.delay, self._late, args=(name,))
                self.timer.daemon = True
                self.timer.start()
                return
            self.share = share
            if share >= 1.0:
                self._end()
                self.name = ""
            elif time.monotonic() - self.started >= self.delay:
                self._show()

    def _late(self, name: str) -> None:
        with self.lock:
            if name == self.name:
                self._show()

    def _show(self) -> None:
        terminal = self.stream.isatty()
        if self.shown and not terminal:
            return
        line = f"wirereader: updating the cache ({self.name}; this runs once): {self.share:.0%}"
        if terminal:
            self.stream.write("\r\x1b[2K" + line)
        else:
            self.stream.write(f"wirereader: updating the cache ({self.name}); this runs once\n")
        self.stream.flush()
        self.shown = True

    def _end(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.shown and self.stream.isatty():
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
        self.shown = False

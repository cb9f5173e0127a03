"""Parsing fetched documents in worker processes, so a big refresh uses every core.

Parsing is pure CPU work under the interpreter lock; writing to SQLite is too. Measured on a
2-core machine with 200 feeds x 200 items, they cost about the same, so running the parsers in
other processes while this one writes cuts a fresh refresh nearly in half. Small refreshes
parse in-process: workers start only after the first MIN_BYTES, when they will pay off.

Workers come from a forkserver (spawn where there is none), never a plain fork: the refresh
runs fetch threads, and a TUI worker thread may call it, so forking this process is unsafe.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import tzinfo

from wirereader.model import ParsedDocument
from wirereader.worker_guard import exit_with

# Workers start once this much has been parsed in-process: starting them costs about 0.2-0.5 s,
# what parsing some 8 MB of feeds costs, so a usual refresh never pays for them.
MIN_BYTES = 8 * 1024 * 1024
MAX_WORKERS = 4


class WorkerDied(RuntimeError):
    """The process parsing a document died (a crash or the memory limit), not the parser."""


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        # Workers forked from a server that already imported the parsers start in milliseconds.
        ctx.set_forkserver_preload(["wirereader.refresh"])
        return ctx
    return multiprocessing.get_context("spawn")


def _parse(body: bytes, url: str, content_type: str, tz: tzinfo | None) -> ParsedDocument:
    from wirereader.refresh import parse_document

    return parse_document(body, url=url, content_type=content_type, tz=tz)


class ParsePool:
    """Started on first use; `close()` ends the workers."""

    def __init__(self) -> None:
        cpus = os.cpu_count() or 1
        self.enabled = cpus > 1
        self.workers = max(1, min(MAX_WORKERS, cpus))
        self._pool: ProcessPoolExecutor | None = None
        self._inline_bytes = 0

    def submit(
        self, body: bytes, url: str, content_type: str, tz: tzinfo | None
    ) -> Future[ParsedDocument] | None:
        """A future parse, or None: parse in-process (pool off, or it broke earlier)."""
        if not self.enabled:
            return None
        if self._pool is None and self._inline_bytes < MIN_BYTES:
            self._inline_bytes += len(body)
            return None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=_context(),
                initializer=exit_with,  # a killed refresh must not leave workers behind
                initargs=(os.getpid(),),
            )
        try:
            return self._pool.submit(_parse, body, url, content_type, tz)
        except (BrokenProcessPool, RuntimeError, OSError):
            self.enabled = False
            return None

    @staticmethod
    def result(future: Future[ParsedDocument]) -> ParsedDocument:
        """The parsed document; the parser's own exceptions pass through, a dead worker is
        `WorkerDied` (so the document is not retried in this process, where it could crash
        the application)."""
        try:
            return future.result()
        except BrokenProcessPool:
            raise WorkerDied("the parser process died on this document") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

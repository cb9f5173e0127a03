"""Parsing fetched documents in worker processes, so a big refresh uses every core.

Parsing is pure CPU work under the interpreter lock; writing to SQLite is too. Measured on a
2-core machine with 200 feeds x 200 items, they cost about the same, so running the parsers in
other processes while this one writes cuts a fresh refresh by a quarter (7.2 s -> 5.4 s measured
on 40,000 items). Small refreshes parse in-process: workers start only after the first
MIN_BYTES, when they will pay off.

Workers come from a forkserver (spawn where there is none), never a plain fork: the refresh
runs fetch threads, and a TUI worker thread may call it, so forking this process is unsafe.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import tzinfo

from wirereader.core.interruptible import result_of
from wirereader.core.model import ParsedDocument
from wirereader.core.workers import exit_with, stop, worker_context

# Workers start (in the background) once this much has arrived to be parsed (counted by the
# fetch threads as bodies arrive, or by this process as it parses them): a usual refresh of a
# few dozen feeds never starts them; a big one has them within a few tenths of a second.
MIN_BYTES = 4 * 1024 * 1024
START_IN_BACKGROUND = True  # tests turn this off to know which documents go to the workers
MAX_WORKERS = 4
# `close` does not wait for the workers to exit: every result a refresh wanted was taken (or,
# interrupted, is dropped: parses not started are cancelled, one running ends in its worker
# and goes nowhere). The executor's own thread ends the workers and joins them, and the
# interpreter joins that thread at exit, so no process or semaphore outlives the command. The
# refresh's last step (the analysis of the entries left) ran after the workers had exited;
# now beside it.
CLOSE_WAITS = False


class WorkerDied(RuntimeError):
    """The process parsing a document died (a crash or the memory limit), not the parser."""


def _parse(
    body: bytes, url: str, content_type: str, tz: tzinfo | None, prepare: bool = False
) -> ParsedDocument:
    from wirereader.sources.dispatch import parse_document
    from wirereader.store.texts import pack

    document = parse_document(body, url=url, content_type=content_type, tz=tz)
    # Packed here, off the process that writes (23 us a body, 6% of its CPU in the feeds
    # benchmark's fetch); the body strings are pickled once, the dict's keys are the same
    # objects as the entries' bodies.
    document.packed_bodies = {e.body: pack(e.body) for e in document.entries}
    # The same for the content hashes a save compares (1.1% of that process's CPU there; the
    # keys' strings are the entries' own objects too, so a lookup compares by identity).
    document.text_hashes = {(e.title, e.body, e.author): e.content_hash() for e in document.entries}
    if prepare and document.entries:
        # The analysis's pure part of these entries (fingerprints, names, term weights), here
        # while the writing process is busy: see `refresh.PREPARE_WHILE_PARSING`.
        from wirereader.analysis.prepare_pool import prepare_packed

        rows = [(k, e.title, e.body, e.author) for k, e in enumerate(document.entries)]
        hashes = document.text_hashes
        try:
            document.prepared = prepare_packed(
                rows, [hashes[(e.title, e.body, e.author)] for e in document.entries]
            )
        except Exception:  # the analysis prepares them itself: the feed is saved all the same
            document.prepared = None
    return document


def _warm_up() -> int:
    return os.getpid()


class ParsePool:
    """Workers start in the background once MIN_BYTES were parsed here; until they are ready
    documents keep being parsed in-process, so starting them never holds the refresh up.
    `close()` ends the workers."""

    def __init__(self, prepares: bool = False) -> None:
        """`prepares`: some documents will be prepared for the analysis too (new feeds), so
        the forkserver loads the analysis's data once for the workers."""
        cpus = os.cpu_count() or 1
        self.prepares = prepares
        self.enabled = cpus > 1
        self.workers = max(1, min(MAX_WORKERS, cpus))
        self._pool: ProcessPoolExecutor | None = None
        self._inline_bytes = 0
        self._arrived_bytes = 0
        self._starter: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(
        self, body: bytes, url: str, content_type: str, tz: tzinfo | None, *, prepare: bool = False
    ) -> Future[ParsedDocument] | None:
        """A future parse, or None: parse in-process (workers not ready, off, or broken)."""
        pool = self._pool
        if not self.enabled:
            return None
        if pool is None:
            self._inline_bytes += len(body)
            if self._inline_bytes < MIN_BYTES:
                return None
            pool = self._start_workers()
            if pool is None:
                return None
        try:
            return pool.submit(_parse, body, url, content_type, tz, prepare)
        except (BrokenProcessPool, RuntimeError, OSError):
            self.enabled = False
            return None

    def submit_if_started(
        self, body: bytes, url: str, content_type: str, tz: tzinfo | None, *, prepare: bool = False
    ) -> Future[ParsedDocument] | None:
        """A future parse if the workers are up, else None. Safe from any thread: a refresh's
        fetch threads call it as each body arrives, so the bytes that arrive count towards
        starting the workers (in the background) before this process has parsed them. Counted
        only as this process parsed them (a dozen feeds, one by one), the 40k feeds
        benchmark's fetch had its workers 2.4-5.0 s into the refresh instead of 1.1-2.6 s (a
        busy machine), and the analysis's worker, asked for before, waited in the writing
        thread for the forkserver's start."""
        pool = self._pool
        if not self.enabled:
            return None
        if pool is None:
            with self._lock:
                self._arrived_bytes += len(body)
                arrived = self._arrived_bytes
            if arrived < MIN_BYTES:
                return None
            pool = self._start_workers()
            if pool is None:
                return None
        try:
            return pool.submit(_parse, body, url, content_type, tz, prepare)
        except (BrokenProcessPool, RuntimeError, OSError):
            return None

    @property
    def starting(self) -> bool:
        """Whether the workers are being started now (asked for, not up yet, not given up)."""
        return (
            self._starter is not None and self._pool is None and self.enabled and not self._closed
        )

    def _start_workers(self) -> ProcessPoolExecutor | None:
        """Start the workers in a thread of their own, unless started (or closed) already;
        None while they start (or, with START_IN_BACKGROUND off, the pool once started by this
        call)."""
        with self._lock:
            if self._starter is not None or self._closed:
                return None
            starter = self._starter = threading.Thread(
                target=self._start, name="parse-pool-start", daemon=True
            )
            starter.start()
        if START_IN_BACKGROUND:
            return None
        starter.join()
        return self._pool

    def _start(self) -> None:
        try:
            pool = ProcessPoolExecutor(
                self.workers,
                mp_context=worker_context(analysis_data=self.prepares),
                initializer=exit_with,  # a killed refresh must not leave workers behind
                initargs=(os.getpid(),),
            )
            # One task per worker, so every worker process exists before the first document.
            for warm in [pool.submit(_warm_up) for _ in range(self.workers)]:
                warm.result()
        except Exception:  # no workers here (no semaphores, a locked-down system): parse inline
            self.enabled = False
            return
        with self._lock:
            if self._closed:
                pool.shutdown(wait=False, cancel_futures=True)
                return
            self._pool = pool

    @staticmethod
    def result(future: Future[ParsedDocument]) -> ParsedDocument:
        """The parsed document; the parser's own exceptions pass through, a dead worker is
        `WorkerDied` (so the document is not retried in this process, where it could crash
        the application)."""
        try:
            return result_of(future)
        except BrokenProcessPool:
            raise WorkerDied("the parser process died on this document") from None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        starter = self._starter
        # An interrupt can land between making the starter and its start() returning (Ctrl-C
        # in `submit`): a thread not yet marked started cannot be joined. If it runs after
        # all, it finds the pool closed and shuts its workers down itself.
        if starter is not None and starter.is_alive():
            starter.join(timeout=5)  # still starting: it shuts its pool down itself
        if pool is not None and getattr(pool, "_broken", False):
            stop(pool)  # a worker died: waiting on the others could be for ever (`workers.stop`)
        elif pool is not None:
            pool.shutdown(wait=CLOSE_WAITS, cancel_futures=True)

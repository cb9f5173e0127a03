"""The analysis pipeline: dedup -> entities -> threads over what is new in the cache.

Incremental: an entry is pending until it is marked analysed, and again when its text
changes (`store.analysis.PENDING`, kept by triggers). Each batch of pending entries is
analysed in one transaction and marked, so a second run finds nothing to do and a killed run
leaves whole batches only.
Placing a new item never moves an old one: the cache is not re-clustered.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import heapq
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from wirereader.analysis.dedup.reposts import Deduplicator, Entry, PrintCache
from wirereader.analysis.entities.record import (
    EntityKeys,
    EntryText,
    forget_thread_scopes,
    record_entities,
)
from wirereader.analysis.features import forget_received_terms
from wirereader.analysis.prepare_pool import (
    CHUNK,
    MIN_ENTRIES,
    GroupPool,
    Pending,
    Prepared,
    PreparePool,
    TextRow,
)
from wirereader.analysis.threads.index import Grouper, ThreadIndex
from wirereader.core.model import text_hash
from wirereader.store import analysis as analysis_store
from wirereader.store import dedup as dedup_store
from wirereader.store import entities as entity_store
from wirereader.store import threads as thread_store
from wirereader.store.db import Store

BATCH = 2_000
# Page cache for the run only (restored after). Before dedup keys and thread postings were
# written to small recent levels (0056, 0057), a 64 MB cache missed often enough at 100k
# entries to cost 8% (70.9 s -> 65.3 s measured); now the pages a batch writes fit in far
# less, and the cache is the largest single part of the run's memory once the cache file
# outgrows it (issue 17's bound: 500 MB at 1M entries; 256 MB before, then 128, then 64).
# 32 MB against 64 at 300k news-like entries, side by side (the cache file 430 MB, past
# both): peak 466 -> 432 MB, main-process CPU 180.7 -> 182.1 s (+0.8%, within the noise of
# a shared machine), the same threads (25,097). At 1M the tables outgrow either cache.
CACHE_KIB = 32_768
# Entity id -> its term for threads, kept for the run (`_entity_terms`); past this many it
# starts afresh (a name and kind never change, so a term read again is the same). Unbounded it
# grew with every entity a run met: one per three entries on the news-like corpus (6,619 at
# 20k, 18,981 at 60k), ~140 bytes each, so ~45 MB at 1M entries.
ENTITY_TERMS_CACHED = 50_000
# Entries stored (`Analysis.stored`) go to the worker once this many are waiting: a feed's
# worth or so per task (each task wakes this process's result thread once).
AHEAD_CHUNK = CHUNK // 4


@dataclass
class AnalysisReport:
    entries: int = 0  # entries analysed (new or changed)
    items: int = 0  # of which canonical items (not reposts)
    reposts: int = 0  # entries that joined an existing item
    threads_created: int = 0
    threads_touched: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # wall seconds per stage
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per stage

    def add_time(self, stage: str, seconds: float, cpu: float = 0.0) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu


def pending_count(store: Store) -> int:
    """Entries not analysed yet, or changed since."""
    return analysis_store.pending_count(store.conn)


def analyse_pending(
    store: Store, *, batch_size: int = BATCH, workers: bool | None = None
) -> AnalysisReport:
    """Analyse every entry not analysed yet (or changed since), batch by batch.

    With `workers` (by default: when at least MIN_ENTRIES are pending) a worker process
    fingerprints the texts and extracts the names of the next batch while this one is analysed;
    the outcome is the same as in-process."""
    with Analysis(store, batch_size=batch_size, workers=workers) as analysis:
        return analysis.finish()


class Analysis:
    """One analysis run that may be fed as entries arrive: `stored(ids)` sends entries just
    stored to the worker to prepare, `step()` analyses the whole batches pending now (a refresh
    calls both while later feeds are still being fetched and parsed), and `finish()` everything
    left. The thread index, the recent fingerprints and the worker stay between calls, so a run
    in steps costs what one run does. One writer: it writes through `store` from the calling
    thread, between the refresh's own transactions."""

    def __init__(
        self,
        store: Store,
        *,
        batch_size: int = BATCH,
        workers: bool | None = None,
        data_version: int | None = None,
    ) -> None:
        """`data_version`: the store's `analysis_store.data_version` from before the saves
        of the first texts handed to `stored` (without it, those are read back)."""
        self.store = store
        self.batch_size = batch_size
        self.workers = workers
        self.report = AnalysisReport()
        self._index: ThreadIndex | None = None
        self._pool: PreparePool | None = None
        self._grouping: GroupPool | None = None  # with `_pool`: a batch's later parts
        self._upcoming: Pending | None = None  # the worker's future for the next batch
        # Entries stored (`stored`) not yet sent to the worker, and those sent ahead of their
        # batch: the chunks still out, and what came back for entries of later batches.
        self._fresh: list[TextRow] = []
        self._sent: set[int] = set()
        self._ahead: list[Pending] = []
        self._ready: Prepared | None = None
        # Entries whose texts, as handed to `stored`, are still the stored ones as far as
        # other connections go (`_note_other_writers`), and the `data_version` seen last.
        self._trusted: set[int] = set()
        self._version = data_version
        self._prints = PrintCache()
        self._seen = dedup_store.StoredKeys()  # which dedup keys may be stored, for the run
        self._terms: dict[int, str] = {}  # entity id -> its term for threads, for the run
        self._keys = EntityKeys()  # what the run read of entity_keys
        self._cache_size: int | None = None
        # Whether the cyclic collector ran before the run's first step (None: not paused).
        self._collecting: bool | None = None

    def __enter__(self) -> Analysis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stored(self, texts: list[TextRow], prepared: Prepared | None = None) -> None:
        """Entries just stored (new or changed), as (id, title, body, author) the way they were
        stored (with what was `prepared` of them already, keyed by their ids and checked
        against their texts like all the rest: `prepare_pool.prepared_as_saved`): the worker
        prepares the others now, while the caller goes on fetching and parsing,
        so the batch they fall in finds them ready (what it made is used only where the batch
        reads the very same text). Sent in chunks of at least `CHUNK // 4`. Before, a refresh's
        steps sent only the batch after the one being analysed, and only what was stored by
        then: in the feeds benchmark's fetch this process prepared ~90% of every step's first
        batch itself (its analysis CPU 21.0 s against 14.8 s in `analyse_pending` of the same
        entries). The worker starts here, as a step would start it (a caller sends entries only
        when a large refresh is under way)."""
        if self.workers is False:
            return
        if self._note_other_writers():
            self._trusted.update(row[0] for row in texts)
        if prepared is not None and prepared.texts:
            # Prepared already (by a parse worker): kept for the batch they fall in, as what
            # comes back for entries sent ahead is (`_with_ahead`), and not sent again.
            if self._ready is None:
                self._ready = Prepared({}, {}, {}, 0.0, {})
            cpu, prepared.cpu = prepared.cpu, 0.0
            _merge(self._ready, prepared)
            self._sent.update(prepared.texts)
            self.report.add_time("prepare (worker)", 0.0, cpu)
        if self._sent:
            texts = [row for row in texts if row[0] not in self._sent]
        self._fresh += texts
        if self._pool is None:
            self._start_workers()
        if len(self._fresh) >= AHEAD_CHUNK:
            self._send_fresh()

    def _send_fresh(self) -> None:
        fresh, self._fresh = self._fresh, []
        if self._pool is None or not fresh:
            return
        pending = self._pool.submit(fresh)
        if pending is not None:
            self._ahead.append(pending)
            self._sent.update(pending.texts)

    def _note_other_writers(self) -> bool:
        """Whether no other connection has committed since this was last asked (`PRAGMA
        data_version`; no on the first call). If one has, the held texts are no longer known
        to be the stored ones, nor are texts handed over now (their save may have come before
        that commit): another writer may have changed a body (an article's full text replaces
        a body and keeps the entry's content hash)."""
        version = analysis_store.data_version(self.store.conn)
        if version == self._version:
            return True
        self._trusted.clear()
        self._version = version
        return False

    def _start_workers(self) -> None:
        self._pool = PreparePool()
        self._grouping = GroupPool()
        self.workers = True

    def can_step_without_waiting(self) -> bool:
        """Whether a step now would find the worker's work for its first batch done: no chunk
        sent ahead (`stored`) for one of the oldest `batch_size` entries is still with the
        worker. (A chunk the worker has not taken is prepared by the step itself: no wait.)
        A refresh asks before each step and saves the next feeds first where the answer is
        no: waiting for the worker was ~24% of the refresh thread's wall time in the feeds
        benchmark's fetch (py-spy --idle), while parsed feeds were waiting to be saved."""
        if not self._ahead or len(self._sent) < self.batch_size:
            return True
        last_of_batch = heapq.nsmallest(self.batch_size, self._sent)[-1]
        return not any(
            future.running()
            for pending in self._ahead
            if min(pending.texts) <= last_of_batch
            for future, _ in pending.chunks
        )

    def step(self) -> int:
        """Analyse the whole batches pending now (a partial batch waits for more entries or for
        `finish`); the number of entries analysed."""
        return self._run(whole_only=True)

    def finish(self) -> AnalysisReport:
        """Analyse everything pending; the report of the whole run."""
        self._run(whole_only=False)
        return self.report

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        grouping, self._grouping = self._grouping, None
        if grouping is not None:
            grouping.close()
        if pool is not None:
            forget_received_terms()  # (the worker's terms, kept while its packs came)
        if self._cache_size is not None:
            # A long-lived connection (the reader's) does not keep a cache this size.
            analysis_store.set_cache_size(self.store.conn, self._cache_size)
            self._cache_size = None
        # What the run kept goes before the collector runs again: everything made while it was
        # paused is still young, and its first pass walked the run's index, fingerprints and
        # keys too: that pass took 0.25-0.65 s at the end of the 40k feeds benchmark's fetch,
        # 0.07-0.16 s once they are let go (load 10-18).
        self._index = None
        self._prints = PrintCache()
        self._keys = EntityKeys()
        self._terms = {}
        self._ready = self._upcoming = None
        self._ahead, self._fresh, self._sent = [], [], set()
        self._trusted, self._version = set(), None
        collecting, self._collecting = self._collecting, None
        if collecting:
            gc.enable()

    def _pause_collector(self) -> None:
        """The cyclic collector pauses from the run's first step until `close`. The run keeps
        many small containers alive (fingerprints, centroids, postings, rows), and the
        collector kept walking them: 20-27% of this process's CPU at 40k-100k entries. The
        analysis makes no reference cycles to speak of (peak memory at 100k: 274 MB either
        way, most of it SQLite's page cache). Not only during each step: in a refresh, the
        collector let run between two steps first walked everything the step before had made
        (it was all still young), then again as it aged, while the feeds' saves went on in
        the same thread (0.66-0.82 s of that thread's 19.4-20.7 s of CPU in a refresh of the
        40k feeds corpus; 0.05 s with the pause)."""
        if self._collecting is None:
            self._collecting = gc.isenabled()
            gc.disable()

    def _run(self, *, whole_only: bool) -> int:
        started = time.perf_counter()
        before = self.report.entries
        conn = self.store.conn
        if self._index is None:
            cache_size = analysis_store.cache_size(conn)
            if cache_size > -CACHE_KIB:
                analysis_store.set_cache_size(conn, -CACHE_KIB)
                self._cache_size = cache_size
            # (The entity terms of the items of earlier runs' threads it reads back.)
            self._index = ThreadIndex(
                conn, lambda ids: _entity_terms(self.store.conn, ids, {}, self._terms)
            )
        if self._pool is None and self.workers is not False:
            # A step means whole batches are arriving while more are on their way (a large
            # refresh): the worker pays for its start.
            wanted = self.workers or whole_only or pending_count(self.store) >= MIN_ENTRIES
            if wanted:
                self._start_workers()
        self._send_fresh()  # (stored since the last send: the worker takes them first)
        self._pause_collector()
        with _settings_for_the_run(conn):
            self._run_batches(whole_only)
        self.report.seconds += time.perf_counter() - started
        return self.report.entries - before

    def _run_batches(self, whole_only: bool) -> None:
        batch_size, pool, index = self.batch_size, self._pool, self._index
        assert index is not None
        while True:
            with self.store.transaction() as conn:
                rows = self._pending(conn, batch_size, whole_only)
                if not rows:
                    break
                current, self._upcoming = self._upcoming, None
                if pool is not None and current is None and not self._ahead:
                    # A run's first batch (nothing sent for it before): it goes to the worker
                    # too, ahead of the next one, and `result` takes back the chunks the worker
                    # has not started, so the two processes share it.
                    current = pool.submit(_first_texts(rows, self._ready))
                if pool is not None and len(rows) == batch_size:
                    # The next batch goes out first, so the worker has work while this process
                    # takes back the chunks of this one that it has not started (but for
                    # entries sent ahead of it already).
                    self._upcoming = pool.submit(self._upcoming_texts(conn))
                prepared = pool.result(current) if pool is not None else None
                if pool is not None and (self._ahead or self._ready is not None):
                    prepared = self._with_ahead(pool, prepared, [r[0] for r in rows])
                entries = [
                    Entry(
                        id=r[0],
                        source_id=r[1],
                        title=r[2],
                        body=r[3],
                        published_at=r[4],
                        repost_of=r[5],
                        thread_id=r[6],
                        kind=r[7],
                        analysed=bool(r[8]),
                        dated=not r[10],
                        url=r[11] or "",
                    )
                    for r in rows
                ]
                authors = {r[0]: r[9] for r in rows}
                _analyse_batch(
                    conn,
                    entries,
                    index,
                    self.report,
                    prepared,
                    self._prints,
                    authors,
                    self._terms,
                    self._keys,
                    self._grouping.groups if self._grouping is not None else None,
                    self._seen,
                )
                if self._grouping is not None:
                    # Its CPU time too, as the prepare worker's.
                    self.report.add_time("grouping (worker)", 0.0, self._grouping.cpu)
                    self._grouping.cpu = 0.0
            self._trusted.difference_update(r[0] for r in rows)
            if self._sent:
                for r in rows:  # (what came for later batches waits in `_ready`)
                    self._sent.discard(r[0])
                    if self._ready is not None:
                        _forget(self._ready, r[0])
            _release_freed_memory()
            if len(rows) < batch_size:
                break

    def _pending(self, conn: sqlite3.Connection, limit: int, whole_only: bool) -> list[Any]:
        """The batch's rows (`analysis_store.pending_entries`; none when `whole_only` and
        fewer than `limit` are pending). In a refresh, the bodies of most of them came with
        `stored` and are still held here (with what a parse worker prepared of them, or in a
        chunk sent to the worker): the rows are read with their content hash in place of the
        body, and a body is read (and unpacked) only for a row whose hash is not that of the
        text held (an entry saved again since), or whose text another connection may have
        changed since it was handed over (`_note_other_writers`): the batch is the very text
        stored. Reading and unpacking the bodies cost
        30-40 ms a batch of 2,000 once they had left the store's cache of recent bodies
        (`store.texts`: 4,096 bodies, while up to STEP_DEFERRED_UP_TO batches wait in a
        refresh), against ~5 ms without them; and a step read a partial batch's bodies only to
        leave it for later."""
        ready, ahead = self._ready, self._ahead
        if ready is None and not ahead:
            rows = analysis_store.pending_entries(conn, limit)
            return [] if whole_only and len(rows) < limit else rows
        rows = [list(r) for r in analysis_store.pending_hashed(conn, limit)]
        if whole_only and len(rows) < limit:
            return []
        self._note_other_writers()
        trusted = self._trusted
        texts = ready.texts if ready is not None else {}
        authors = ready.authors if ready is not None else {}
        mentions = ready.mentions if ready is not None else {}
        missing = []
        for row in rows:
            entry_id, title, author = row[0], row[2] or "", row[9] or ""
            text = texts.get(entry_id)
            mention = mentions.get(entry_id)
            held: tuple[str, str, str] | None
            digest: str | None
            if entry_id not in trusted:
                held = digest = None
            elif text is not None and mention is not None and entry_id in authors:
                held = (text[0], text[1], authors[entry_id])
                digest = mention[0]
            else:
                held = next(
                    (
                        (*p.texts[entry_id], p.authors.get(entry_id, ""))
                        for p in ahead
                        if entry_id in p.texts
                    ),
                    None,
                )
                digest = text_hash(*held) if held is not None else None
            if held is None or held[0] != title or held[2] != author or digest != row[3]:
                missing.append(row)
            else:
                row[3] = held[1]
        if missing:
            bodies = {r[0]: r[2] for r in analysis_store.texts_of(conn, [r[0] for r in missing])}
            for row in missing:
                row[3] = bodies.get(row[0])
        return rows

    def _upcoming_texts(self, conn: sqlite3.Connection) -> list[TextRow]:
        """(id, title, body, author) of the batch after this one, but for entries sent ahead
        (`stored`): then their ids are read first, and only the others' texts (in a refresh
        that reads no body at all: reading and unpacking the next batch's bodies to leave them
        out was 2.4% of the fetch's own CPU)."""
        size = self.batch_size
        if not self._sent:
            return [tuple(r) for r in analysis_store.next_texts(conn, size, size)]
        unsent = [i for i in analysis_store.next_ids(conn, size, size) if i not in self._sent]
        return [tuple(r) for r in analysis_store.texts_of(conn, unsent)] if unsent else []

    def _with_ahead(
        self, pool: PreparePool, prepared: Prepared | None, ids: list[int]
    ) -> Prepared | None:
        """`prepared` (the batch as sent with the one before) with what was sent ahead for
        this batch's entries (`stored`): each chunk holding one of them is taken (prepared
        here if the worker has not started it, as `PreparePool.result` does), the rest wait.
        What came back for entries of later batches is kept for them (`_ready`)."""
        wanted = set(ids)
        waiting = []
        ready = self._ready or Prepared({}, {}, {}, 0.0, {})
        self._ready = ready
        ready.cpu = 0.0
        for pending in self._ahead:
            if wanted.isdisjoint(pending.texts):
                waiting.append(pending)
                continue
            got = pool.result(pending)
            if got is not None:
                _merge(ready, got)
        self._ahead = waiting
        if prepared is not None:
            _merge(ready, prepared)
        return ready


def _merge(into: Prepared, part: Prepared) -> None:
    into.texts.update(part.texts)
    into.authors.update(part.authors)
    into.prints.update(part.prints)
    into.mentions.update(part.mentions)
    into.weights.update(part.weights)
    into.shingles.update(part.shingles)
    into.cpu += part.cpu


def _forget(prepared: Prepared, entry_id: int) -> None:
    prepared.shingles.pop(entry_id, None)
    prepared.authors.pop(entry_id, None)
    for held in (prepared.texts, prepared.prints, prepared.mentions, prepared.weights):
        held.pop(entry_id, None)


@contextmanager
def _settings_for_the_run(conn: sqlite3.Connection) -> Iterator[None]:
    """Settings that pay off while batches are analysed, each put back as it was afterwards
    (also when the run fails); a run in steps sets them for each step, so a refresh's own
    writes in between are checked as usual. (The cyclic collector pauses for the whole run:
    `Analysis._pause_collector`.)"""
    # Foreign keys are not checked row by row during the run: every id the analysis writes it
    # has just read or created in the same write transaction, and the one delete (a thread a
    # regrouping emptied, `thread_store.drop_empty`) takes its state with it first; the per-row
    # parent lookups cost a fifth of the dedup key inserts. The tests
    # check the finished cache with `PRAGMA foreign_key_check`. (A no-op inside a caller's
    # transaction: then the keys are checked as usual.)
    checking_keys = analysis_store.checking_foreign_keys(conn)
    try:
        if checking_keys:
            analysis_store.check_foreign_keys(conn, False)
        yield
    finally:
        if checking_keys:
            analysis_store.check_foreign_keys(conn, True)


def _analyse_batch(
    conn: sqlite3.Connection,
    entries: list[Entry],
    index: ThreadIndex,
    report: AnalysisReport,
    prepared: Prepared | None,
    prints: PrintCache,
    authors: dict[int, str],
    entity_terms: dict[int, str],
    keys: EntityKeys | None = None,
    grouper: Grouper | None = None,
    seen: dedup_store.StoredKeys | None = None,
) -> None:
    ids = [e.id for e in entries]
    t0, c0 = time.perf_counter(), time.process_time()
    ready = prepared.prints_for([(e.id, e.title, e.body) for e in entries]) if prepared else {}
    dedup = Deduplicator(conn, prints, seen).run(
        entries, ready, prepared.shingles if prepared else None
    )
    report.reposts += dedup.merged
    t1, c1 = time.perf_counter(), time.process_time()
    report.add_time("dedup", t1 - t0, c1 - c0)

    # Dedup may have turned an entry of this batch into a repost of an older one, or given it
    # the thread of the item it joined: read the outcome back (entities do not change it).
    outcome = analysis_store.repost_and_thread(conn, ids)
    state = {r[0]: (r[1], r[2]) for r in outcome}
    for e in entries:
        e.repost_of, e.thread_id = state[e.id]
    rows = _entity_rows(entries, authors)
    found = record_entities(
        conn,
        rows,
        extracted=prepared.mentions if prepared else None,
        hashes=prepared.text_hashes(rows) if prepared else None,
        keys=keys,
    )
    t2, c2 = time.perf_counter(), time.process_time()
    report.add_time("entities", t2 - t1, c2 - c1)

    items = [e for e in entries if e.repost_of is None and e.thread_id is None]
    if prepared is not None:
        for e in items:
            e.weights = prepared.weights_for(e.id, e.title, e.body)
    report.items += sum(1 for e in entries if e.repost_of is None)
    index.begin_batch()
    known = found.per_entry
    placed = index.place_batch(
        items, _entity_terms(conn, [e.id for e in items], known, entity_terms), grouper
    )
    index.flush()
    # Each entry's row is written once: its thread (if it got one) and its mark as analysed.
    analysis_store.mark_placed(conn, [(thread, item) for item, thread in placed.assigned.items()])
    # Earlier items a regrouping moved to another thread, with their reposts.
    analysis_store.move_items(conn, [(thread, item) for item, thread in placed.moved.items()])
    # Reposts follow their item into its thread.
    reposts = [(e.repost_of, e.id) for e in entries if e.repost_of is not None]
    analysis_store.mark_reposts(conn, reposts)
    marked = placed.assigned.keys() | {entry for _, entry in reposts}
    analysis_store.mark_analysed(conn, [(i,) for i in ids if i not in marked])
    recount = dedup.moved_threads | placed.recount
    index.write_counts(placed, skip=recount)
    # Dedup merged items across threads (rare), or a regrouping changed a thread of an earlier
    # batch: count those threads from their entries.
    thread_store.recount(conn, recount)
    forget_thread_scopes(conn, thread_store.drop_empty(conn, placed.emptied, index.own_blocks))
    touched = placed.touched | recount
    report.threads_created += placed.created
    report.threads_touched += len(touched)
    report.entries += len(entries)
    report.add_time("threads", time.perf_counter() - t2, time.process_time() - c2)
    if prepared is not None:
        # The worker's CPU time, so the figures count all the work (its wall time overlapped).
        report.add_time("prepare (worker)", 0.0, prepared.cpu)


def _entity_rows(entries: list[Entry], authors: dict[int, str]) -> list[EntryText]:
    """The rows `record_entities` would read for these entries, in the order it reads them
    (each run of 500 ids in id order): the batch's texts are already here, its thread ids were
    just read back, and entity resolution depends on the order."""
    rows: list[EntryText] = []
    for start in range(0, len(entries), 500):
        for e in sorted(entries[start : start + 500], key=lambda e: e.id):
            rows.append((e.id, e.source_id, e.thread_id, e.title, e.body, authors[e.id]))
    return rows


# A "y" inside a word of a person's name, read as "i" in the name's thread term: the common
# romanisations of Ukrainian and Russian names differ there (DW spells Heraskevych
# "Vladislav" in one report and "Vladyslav" in three; Zelenskyy / Zelenskiy, which the
# entities' own key already folds), and two people whose full names differ only so are rare.
_Y_INSIDE = re.compile(r"\By")
# A generational suffix ending a person's name, left out of the thread term: the extraction
# keeps it in the name ('Arcade Joseph Comeaux, Jr.' is one person), and one report writes it
# where the next does not, so the two would name different people to the threads (ECB+ dev's
# escaped-prisoner story split so when the extraction first kept the suffix). A numeral
# ('Adolph Coors III') is left: it is written every time, and tells a son from a father.
_GENERATION = re.compile(r",?\s+(?:jr|sr)\.?$")


def person_term(name: str) -> str:
    """A person's thread term: the name casefolded, a generational suffix left out, a "y"
    inside a word read as "i" (so one person's romanisations meet; see
    `grouping._share_entity`, which needs them to)."""
    return "@person:" + _Y_INSIDE.sub("i", _GENERATION.sub("", name.casefold()))


def _entity_terms(
    conn: sqlite3.Connection, ids: list[int], known: dict[int, list[int]], cache: dict[int, str]
) -> dict[int, list[str]]:
    """Entity terms of each entry, by kind and name (not by id, whose order may vary), sorted,
    each once a mention (`ThreadIndex.rank_weights`: an article keeps the names it names most).

    `known`: the entity ids of entries just extracted, each once a mention (the rest are read
    from entry_entities); `cache`: entity id -> term, kept for the run (an entity's name and
    kind never change)."""
    if len(cache) > ENTITY_TERMS_CACHED:
        cache.clear()
    entities: dict[int, list[int]] = {i: known[i] for i in ids if i in known}
    stored = [i for i in ids if i not in known]
    for entry_id, entity, mentions in entity_store.entities_of_entries(conn, stored):
        entities.setdefault(entry_id, []).extend(repeat(entity, mentions))
    missing = sorted({e for es in entities.values() for e in es if e not in cache})
    for entity, kind, name in entity_store.kinds_and_names(conn, missing):
        cache[entity] = person_term(name) if kind == "person" else f"@{kind}:{name.casefold()}"
    out: dict[int, list[str]] = {}
    term = cache.__getitem__
    for entry_id, found in entities.items():
        if found:
            out[entry_id] = sorted(map(term, found))
    return out


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, where the C library has it (not on macOS, Windows or musl);
    looked up at the first batch, not when the module loads."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def _release_freed_memory() -> None:
    """Hands the pages a batch freed back to the system, after each batch: glibc keeps the
    holes a batch's large, short-lived arrays and rows leave between live blocks resident. At
    1M news-like entries, in the same quiet spell: peak 503 -> 480 MB (max RSS 515 -> 492
    MB), CPU 1,050 -> 1,003 us an entry (noise: one call a batch of 2,000 entries), the same
    threads and folds."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _first_texts(rows: list[Any], ready: Prepared | None) -> list[TextRow]:
    """(id, title, body, author) of a batch's rows as `_pending` read them, but for those
    prepared already (`ready`, handed over by `stored`)."""
    held = ready.mentions if ready is not None else {}
    return [(r[0], r[2] or "", r[3] or "", r[9] or "") for r in rows if r[0] not in held]

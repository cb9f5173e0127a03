"""The analysis pipeline: dedup -> entities -> threads over what is new in the cache.

Incremental: an entry is pending while `entries.analysed_hash` differs from its `content_hash`
(new, or its text changed since). Each batch of pending entries is analysed in one transaction
and marked, so a second run finds nothing to do and a killed run leaves whole batches only.
Placing a new item never moves an old one: the cache is not re-clustered.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

from wirereader.analysis.dedup import Deduplicator, Entry, PrintCache
from wirereader.analysis.entity_store import record_entities
from wirereader.analysis.prepare_pool import MIN_ENTRIES, Prepared, PreparePool
from wirereader.analysis.threads import ThreadIndex
from wirereader.store.db import Store

BATCH = 2_000
# Page cache for the run only (restored after): at 100k entries a 64 MB cache still missed
# often enough to cost 8% (70.9 s -> 65.3 s measured).
CACHE_KIB = 262_144


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


_PENDING = (
    "SELECT id, source_id, title, body, published_at, repost_of, thread_id, kind,"
    " analysed_hash IS NOT NULL, time_guessed FROM entries"
    " WHERE analysed_hash IS NOT content_hash"
    " ORDER BY published_at, id LIMIT ?"
)


# The texts of the batch after the current one (the current one is not marked yet).
_NEXT_TEXTS = (
    "SELECT id, title, body, author FROM entries WHERE analysed_hash IS NOT content_hash"
    " ORDER BY published_at, id LIMIT ? OFFSET ?"
)


def pending_count(store: Store) -> int:
    return int(
        store.conn.execute(
            "SELECT count(*) FROM entries WHERE analysed_hash IS NOT content_hash"
        ).fetchone()[0]
    )


def analyse_pending(
    store: Store, *, batch_size: int = BATCH, workers: bool | None = None
) -> AnalysisReport:
    """Analyse every entry not analysed yet (or changed since), batch by batch.

    With `workers` (by default: when at least MIN_ENTRIES are pending) a worker process
    fingerprints the texts and extracts the names of the next batch while this one is analysed;
    the outcome is the same as in-process."""
    report = AnalysisReport()
    started = time.perf_counter()
    # The analysis probes several indexes per entry at random places; SQLite's default 2 MB
    # page cache makes that disk-bound once the cache file is large.
    cache_size = int(store.conn.execute("PRAGMA cache_size").fetchone()[0])
    if cache_size > -CACHE_KIB:
        store.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    index = ThreadIndex(store.conn)
    if workers is None:
        workers = pending_count(store) >= MIN_ENTRIES
    pool = PreparePool() if workers else None
    try:
        _run_batches(store, batch_size, index, report, pool)
    finally:
        if pool is not None:
            pool.close()
        if cache_size > -CACHE_KIB:
            # A long-lived connection (the reader's) does not keep a cache this size.
            store.conn.execute(f"PRAGMA cache_size = {cache_size}")
    report.seconds = time.perf_counter() - started
    return report


def _run_batches(
    store: Store,
    batch_size: int,
    index: ThreadIndex,
    report: AnalysisReport,
    pool: PreparePool | None,
) -> None:
    upcoming = None  # the worker's future for the next batch
    prints = PrintCache()
    while True:
        with store.transaction() as conn:
            rows = conn.execute(_PENDING, (batch_size,)).fetchall()
            if not rows:
                break
            prepared = pool.result(upcoming) if pool is not None else None
            upcoming = None
            if pool is not None and len(rows) == batch_size:
                texts = conn.execute(_NEXT_TEXTS, (batch_size, batch_size)).fetchall()
                upcoming = pool.submit([tuple(r) for r in texts])
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
                    dated=not r[9],
                )
                for r in rows
            ]
            _analyse_batch(conn, entries, index, report, prepared, prints)
        if len(rows) < batch_size:
            break


def _analyse_batch(
    conn: sqlite3.Connection,
    entries: list[Entry],
    index: ThreadIndex,
    report: AnalysisReport,
    prepared: Prepared | None = None,
    prints: PrintCache | None = None,
) -> None:
    ids = [e.id for e in entries]
    t0, c0 = time.perf_counter(), time.process_time()
    ready = prepared.prints_for([(e.id, e.title, e.body) for e in entries]) if prepared else {}
    dedup = Deduplicator(conn, prints).run(entries, ready)
    report.reposts += dedup.merged
    t1, c1 = time.perf_counter(), time.process_time()
    report.add_time("dedup", t1 - t0, c1 - c0)

    if prepared is not None:
        record_entities(conn, ids, extracted=prepared.mentions)
    else:
        record_entities(conn, ids)
    t2, c2 = time.perf_counter(), time.process_time()
    report.add_time("entities", t2 - t1, c2 - c1)

    # Dedup may have turned an entry of this batch into a repost of an older one, or given it
    # the thread of the item it joined: read the outcome back.
    state = {r[0]: (r[1], r[2]) for r in _select_in(conn, "id, repost_of, thread_id", "id", ids)}
    for e in entries:
        e.repost_of, e.thread_id = state[e.id]
    items = [e for e in entries if e.repost_of is None and e.thread_id is None]
    report.items += sum(1 for e in entries if e.repost_of is None)
    index.begin_batch()
    placed = index.place_batch(items, _entity_terms(conn, [e.id for e in items]))
    index.flush()
    conn.executemany(
        "UPDATE entries SET thread_id = ? WHERE id = ?",
        [(thread, item) for item, thread in placed.assigned.items()],
    )
    # Reposts follow their item into its thread.
    conn.executemany(
        "UPDATE entries SET thread_id = (SELECT r.thread_id FROM entries r WHERE r.id = ?)"
        " WHERE id = ?",
        [(e.repost_of, e.id) for e in entries if e.repost_of is not None],
    )
    index.write_counts(placed, skip=dedup.moved_threads)
    # Dedup merged items across threads (rare): count those threads from their entries.
    _recount(conn, dedup.moved_threads)
    touched = placed.touched | dedup.moved_threads
    report.threads_created += placed.created
    report.threads_touched += len(touched)
    conn.executemany(
        "UPDATE entries SET analysed_hash = content_hash WHERE id = ?", [(i,) for i in ids]
    )
    report.entries += len(entries)
    report.add_time("threads", time.perf_counter() - t2, time.process_time() - c2)
    if prepared is not None:
        # The worker's CPU time, so the figures count all the work (its wall time overlapped).
        report.add_time("prepare (worker)", 0.0, prepared.cpu)


def _entity_terms(conn: sqlite3.Connection, ids: list[int]) -> dict[int, list[str]]:
    """Entity terms of each entry, by kind and name (not by id, whose order may vary), sorted."""
    out: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for entry_id, kind, name in conn.execute(
            f"SELECT ee.entry_id, en.kind, en.name FROM entry_entities ee"
            f" JOIN entities en ON en.id = ee.entity_id WHERE ee.entry_id IN ({marks})",
            chunk,
        ):
            out.setdefault(entry_id, []).append(f"@{kind}:{name.casefold()}")
    for terms in out.values():
        terms.sort()
    return out


def _select_in(
    conn: sqlite3.Connection, columns: str, key: str, ids: list[int], *, table: str = "entries"
) -> list[sqlite3.Row]:
    rows: list[sqlite3.Row] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows += conn.execute(f"SELECT {columns} FROM {table} WHERE {key} IN ({marks})", chunk)
    return rows


def _recount(conn: sqlite3.Connection, threads: set[int]) -> None:
    """Size and span of each touched thread, from its items (reposts do not count)."""
    conn.executemany(
        "UPDATE threads SET (size, first_at, last_at) = (SELECT count(*),"
        " coalesce(min(published_at), threads.first_at), coalesce(max(published_at),"
        " threads.last_at) FROM entries WHERE thread_id = threads.id AND repost_of IS NULL)"
        " WHERE id = ?",
        [(t,) for t in threads],
    )

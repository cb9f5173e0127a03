"""Migration 0051: the candidate index of story threads packed (store/threads.py), converting a
cache in place.

Before it, `thread_terms` held a row per (term, thread) with the term's weight, and an index by
thread: 389 bytes per entry on the 40k feed corpus. The conversion:

1. batches of `BATCH` threads in id order, one transaction each: each thread's indexed terms
   (its rows in `thread_terms`) become a bitmap over its stored centroid's terms
   (`thread_state.indexed`); a centroid from before 0022 (the index held it all) is written from
   those rows first, as the JSON form `decode_centroid` reads to the same floats. A batch only
   reads `thread_terms`, so a process killed in the middle (or a second one) does it again,
   with the same result;
2. one transaction: `thread_postings` is filled from `thread_terms` in its (term, thread)
   order, a block at a time, and `thread_terms` and its index are dropped (their pages are
   free for later writes; the new table is about a tenth of their size, so the file does not
   grow).

A brand-new cache goes through the same steps with nothing to convert. The number is in the
storage-layout range: it drops a table migration 0021 (analysis range) creates.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable

from wirereader.store import threads
from wirereader.store.write_transaction import in_write_transaction

NAME = "0051_thread_postings_packed"
BATCH = 5_000  # threads per transaction (40 indexed terms each): a few MB of WAL
TABLE = """CREATE TABLE IF NOT EXISTS thread_postings (
    term     TEXT NOT NULL,
    block    INTEGER NOT NULL,  -- thread id >> BLOCK_BITS
    threads  BLOB NOT NULL,     -- the block's threads holding the term (store/threads.py)
    PRIMARY KEY (term, block)
) WITHOUT ROWID"""


def _has(conn: sqlite3.Connection, kind: str, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?", (kind, name)
    ).fetchone()
    return row is not None


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]


def convert(
    conn: sqlite3.Connection, progress: Callable[[float], None] = lambda share: None
) -> None:
    """Pack the candidate index; a no-op once `thread_terms` is gone."""

    def prepare() -> int:
        conn.execute(TABLE)
        if "indexed" not in _columns(conn, "thread_state"):
            conn.execute("ALTER TABLE thread_state ADD COLUMN indexed BLOB")
        if not _has(conn, "table", "thread_terms"):
            return 0
        return int(conn.execute("SELECT count(*) FROM threads").fetchone()[0])

    total = in_write_transaction(conn, prepare)
    done, last = 0, 0
    while total:
        step = in_write_transaction(conn, functools.partial(_mark_indexed, conn, last))
        if step is None:
            break
        last, count = step
        done += count
        progress(min(0.9, 0.9 * done / total))
    in_write_transaction(conn, lambda: _fill_postings(conn))


def _mark_indexed(conn: sqlite3.Connection, after: int) -> tuple[int, int] | None:
    """The indexed bitmap of the next BATCH threads after id `after`: (the last id, how many);
    None when none are left (or another process has finished the conversion)."""
    if not _has(conn, "table", "thread_terms"):
        return None
    rows = conn.execute(
        "SELECT t.id, s.thread_id IS NOT NULL, s.centroid FROM threads t"
        " LEFT JOIN thread_state s ON s.thread_id = t.id WHERE t.id > ? ORDER BY t.id LIMIT ?",
        (after, BATCH),
    ).fetchall()
    if not rows:
        return None
    first, last = rows[0][0], rows[-1][0]
    indexed: dict[int, list[tuple[str, float]]] = {}
    for thread, term, weight in conn.execute(
        "SELECT thread_id, term, weight FROM thread_terms WHERE thread_id BETWEEN ? AND ?"
        " ORDER BY thread_id, term",
        (first, last),
    ):
        indexed.setdefault(thread, []).append((term, weight))
    written, added = [], []
    for thread, has_state, centroid in rows:
        terms = indexed.get(thread, [])
        if not centroid:  # from before 0022: the index held the whole centroid
            centroid = json.dumps([[t, w] for t, w in terms]) if terms else ""
        weights = threads.decode_centroid(centroid)
        row = (centroid, threads.encode_indexed(weights, {t for t, _ in terms}), thread)
        if has_state:
            written.append(row)
        elif terms:  # (read as a thread without headline, as a missing row was)
            added.append(row)
    conn.executemany(
        "UPDATE thread_state SET centroid = ?, indexed = ? WHERE thread_id = ?", written
    )
    conn.executemany(
        "INSERT INTO thread_state (centroid, indexed, thread_id) VALUES (?, ?, ?)", added
    )
    return last, len(rows)


def _fill_postings(conn: sqlite3.Connection) -> None:
    if not _has(conn, "table", "thread_terms"):  # another process finished meanwhile
        return
    conn.execute("DELETE FROM thread_postings")  # (empty unless a run was cut short here)
    rows: list[tuple[str, int, bytes]] = []
    key: tuple[str, int] | None = None
    offsets: list[int] = []
    cursor = conn.execute("SELECT term, thread_id FROM thread_terms ORDER BY term, thread_id")
    for term, thread in cursor:
        at = (term, thread >> threads.BLOCK_BITS)
        if at != key:
            if key is not None:
                rows.append((key[0], key[1], threads.encode_block(offsets)))
            key, offsets = at, []
        offsets.append(thread & (threads.BLOCK - 1))
        if len(rows) >= 10_000:
            _insert(conn, rows)
    if key is not None:
        rows.append((key[0], key[1], threads.encode_block(offsets)))
    _insert(conn, rows)
    conn.execute("DROP INDEX IF EXISTS thread_terms_by_thread")
    conn.execute("DROP TABLE thread_terms")


def _insert(conn: sqlite3.Connection, rows: list[tuple[str, int, bytes]]) -> None:
    conn.executemany("INSERT INTO thread_postings (term, block, threads) VALUES (?, ?, ?)", rows)
    rows.clear()

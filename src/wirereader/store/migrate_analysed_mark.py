"""Migration 0054: an analysed entry is marked '1' instead of with a copy of its content hash
(store/analysis.py, ANALYSED), converting a cache in place.

1. one transaction: the pending index is made again on the new condition (`PENDING`, which
   still reads a hash equal to the content hash as analysed, so the rows not yet converted stay
   analysed meanwhile), and the trigger that turns '1' into '0' when the content hash changes
   (`OUTDATED_TRIGGER`) is created;
2. batches of `BATCH` entry ids, one transaction each: a mark equal to the content hash becomes
   '1'. `meta` keeps the last id done, so a process killed in the middle goes on after the last
   batch that committed.

Rows shrink where they are (24 bytes each on a ~300-byte row): SQLite does not merge pages on
an UPDATE, so an old cache keeps its file size and the space inside its pages; what a new cache
saves (24 bytes per entry) an old one only saves on the entries written after. Moving `entries`
rows, as 0053 moves version rows, would fire its text and full-text triggers for every entry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from wirereader.store.analysis import ANALYSED, OUTDATED_TRIGGER, PENDING_INDEX
from wirereader.store.write_transaction import convert_id_ranges

NAME = "0054_analysed_mark"
BATCH = 20_000  # entry ids per transaction: ~6 MB of WAL
PROGRESS_KEY = "analysis.mark_done_to"


def convert(
    conn: sqlite3.Connection, progress: Callable[[float], None] = lambda share: None
) -> None:
    """Mark every analysed entry '1'; resumable."""

    def prepare() -> None:
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
            ("entries_pending_analysis",),
        ).fetchone()
        if row is None or row[0] != PENDING_INDEX:
            conn.execute("DROP INDEX IF EXISTS entries_pending_analysis")
            conn.execute(PENDING_INDEX)
        conn.execute(OUTDATED_TRIGGER)

    convert_id_ranges(
        conn,
        progress_key=PROGRESS_KEY,
        top_sql="SELECT MAX(id) FROM entries",
        batch=BATCH,
        convert_range=_mark,
        progress=progress,
        prepare=prepare,
    )


def _mark(conn: sqlite3.Connection, lo: int, hi: int) -> None:
    conn.execute(
        "UPDATE entries SET analysed_hash = ? WHERE id > ? AND id <= ?"
        " AND analysed_hash = content_hash",
        (ANALYSED, lo, hi),
    )

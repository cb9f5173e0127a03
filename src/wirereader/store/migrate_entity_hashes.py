"""Migration 0055: the text hashes of `entity_extracted` stored as their 12 bytes instead of 24
hex digits (store/entities.py), converting a cache in place.

Batches of `BATCH` entry ids, one transaction each: the rows whose hash is still text are
deleted and written again with the same entry ids, the hash as bytes. Deleted, not updated:
SQLite merges pages on delete, never on an UPDATE that shrinks rows (as in migration 0053), so
the table's freed pages go to the free list for later writes and the conversion never needs
more disk. Nothing points at these rows and no trigger watches them. A hash that is not hex is
left as it is (the module reads both forms). `meta` keeps the last id done, so a process killed
in the middle goes on after the last batch that committed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from wirereader.store.write_transaction import convert_id_ranges

NAME = "0055_entity_hashes_packed"
BATCH = 50_000  # entry ids per transaction: ~2 MB of WAL
PROGRESS_KEY = "entities.hashes_done_to"


def convert(
    conn: sqlite3.Connection, progress: Callable[[float], None] = lambda share: None
) -> None:
    """Store every hex text hash as bytes; resumable."""
    convert_id_ranges(
        conn,
        progress_key=PROGRESS_KEY,
        top_sql="SELECT MAX(entry_id) FROM entity_extracted",
        batch=BATCH,
        convert_range=_pack,
        progress=progress,
    )


def _pack(conn: sqlite3.Connection, lo: int, hi: int) -> None:
    rows = []
    for entry_id, text_hash in conn.execute(
        "SELECT entry_id, text_hash FROM entity_extracted"
        " WHERE entry_id > ? AND entry_id <= ? AND typeof(text_hash) = 'text' ORDER BY entry_id",
        (lo, hi),
    ):
        try:
            rows.append((entry_id, bytes.fromhex(text_hash)))
        except ValueError:
            continue
    if rows:
        conn.executemany("DELETE FROM entity_extracted WHERE entry_id = ?", [r[:1] for r in rows])
        conn.executemany("INSERT INTO entity_extracted (entry_id, text_hash) VALUES (?, ?)", rows)

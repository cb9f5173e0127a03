"""Migration 0052: dedup keys stored as their top 47 bits (store/dedup.py, KEY_SHIFT), converting
a cache in place.

1. one transaction: `dedup_keys` is renamed `dedup_keys_wide` and a new, empty `dedup_keys` is
   created as migration 0021 made it;
2. batches of `BATCH` rows in key order, one transaction each: the rows are inserted narrowed
   (in key order, so the new table's pages are filled one after another, full) and deleted
   from the old table, whose pages the next batches reuse, so the file never needs a second
   copy of the table. Progress is what is left in the old table: a process killed in the
   middle (or another one opening the cache at the same time) goes on where the last batch
   committed;
3. one transaction: the old table is dropped and `meta` records that keys are narrow (so a
   conversion finished but not yet recorded is never narrowed twice).

A brand-new cache goes through the same steps with nothing to move.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from wirereader.store.write_transaction import in_write_transaction

NAME = "0052_dedup_keys_narrow"
BATCH = 50_000  # rows per transaction: about 1 MB of WAL
DONE_KEY = "dedup.keys_narrow"
TABLE = """CREATE TABLE dedup_keys (
    key       INTEGER NOT NULL,
    entry_id  INTEGER NOT NULL REFERENCES entries(id),
    PRIMARY KEY (key, entry_id)
) WITHOUT ROWID"""
_OLD = "dedup_keys_wide"


def _done(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM meta WHERE key = ?", (DONE_KEY,)).fetchone() is not None


def _has_old(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (_OLD,))
    return row.fetchone() is not None


def convert(
    conn: sqlite3.Connection, progress: Callable[[float], None] = lambda share: None
) -> None:
    """Narrow every stored key; a no-op once done."""

    def prepare() -> int:
        if _done(conn):
            return -1
        if not _has_old(conn):
            conn.execute(f"ALTER TABLE dedup_keys RENAME TO {_OLD}")
            conn.execute(TABLE)
        return int(conn.execute(f"SELECT count(*) FROM {_OLD}").fetchone()[0])

    left = in_write_transaction(conn, prepare)
    if left < 0:
        return
    moved = 0
    while in_write_transaction(conn, lambda: _move_batch(conn)):
        moved += BATCH
        progress(min(0.99, moved / max(1, left)))

    def finish() -> None:
        if _has_old(conn):
            conn.execute(f"DROP TABLE {_OLD}")
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, '1')", (DONE_KEY,))

    in_write_transaction(conn, finish)


def _move_batch(conn: sqlite3.Connection) -> bool:
    """Move the next batch of keys; False when none were left (or another process finished)."""
    # (imported here: store.dedup brings numpy, and every open of a cache lists this step)
    from wirereader.store.dedup import KEY_SHIFT

    if not _has_old(conn):
        return False
    rows = conn.execute(
        f"SELECT key, entry_id FROM {_OLD} ORDER BY key, entry_id LIMIT ?", (BATCH,)
    ).fetchall()
    if not rows:
        return False
    conn.executemany(
        "INSERT OR IGNORE INTO dedup_keys (key, entry_id) VALUES (?, ?)",
        [(key >> KEY_SHIFT, entry) for key, entry in rows],
    )
    key, entry = rows[-1]
    conn.execute(
        f"DELETE FROM {_OLD} WHERE key < ? OR (key = ? AND entry_id <= ?)", (key, key, entry)
    )
    return True

"""Migration 0053: version rows that repeat their entry's metadata take it from the entry
(store/versions.py, SAME_AS_ENTRY), converting a cache in place.

1. one transaction: the trigger that keeps a version's metadata when its entry's changes
   (`versions.META_TRIGGER`) is created first, so no write made while the conversion runs (by
   this process or another) can change what a converted row reads;
2. batches of `BATCH` version ids, one transaction each: a row whose author, published, updated
   and content hash are all its entry's current ones is rewritten in the short form (82 -> ~22
   bytes on the 40k feed corpus). The batch's rows are deleted and written again with the same
   ids, not updated: SQLite rebalances pages on delete and on overflow only, so rows shrunk by
   an UPDATE would leave every page a quarter full for good (measured: the table kept its 3.6 MB
   on the 40k feed cache). Deleted, the batch's pages are merged and freed; written again in id
   order, the rows fill pages one after another, and the next batches and later writes reuse
   the freed pages: the conversion never needs more disk. `meta` keeps the last id done, so a
   process killed in the middle goes on after the last batch that committed;
3. the migration is recorded (the last id done stays in `meta`, harmless).

A brand-new cache goes through the same steps with nothing to rewrite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from wirereader.store.versions import META_TRIGGER, SAME_AS_ENTRY
from wirereader.store.write_transaction import convert_id_ranges

NAME = "0053_version_meta_once"
BATCH = 20_000  # version ids per transaction: ~2 MB of WAL, ~0.1 s of lock
PROGRESS_KEY = "versions.meta_done_to"

# Whether a version row (aliased v) repeats its entry's current metadata.
_REPEATS_ENTRY = (
    f"v.content_hash != '{SAME_AS_ENTRY}'"
    " AND EXISTS (SELECT 1 FROM entries e WHERE e.id = v.entry_id AND e.author = v.author"
    " AND e.published IS v.published AND e.updated IS v.updated"
    " AND e.content_hash = v.content_hash)"
)


def convert(
    conn: sqlite3.Connection, progress: Callable[[float], None] = lambda share: None
) -> None:
    """Shorten every version row that repeats its entry's metadata; resumable."""
    foreign_keys = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    # A batch's rows are deleted and written again with their ids, which `articles.version_id`
    # points at: no single statement of the two satisfies the check, so it is off meanwhile
    # (as in migration 0004).
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        convert_id_ranges(
            conn,
            progress_key=PROGRESS_KEY,
            top_sql="SELECT MAX(id) FROM entry_versions",
            batch=BATCH,
            convert_range=_rewrite,
            progress=progress,
            prepare=lambda: conn.execute(META_TRIGGER),
        )
    finally:
        conn.execute(f"PRAGMA foreign_keys = {foreign_keys}")


def _columns(conn: sqlite3.Connection) -> list[str]:
    return [str(row[1]) for row in conn.execute("PRAGMA table_info(entry_versions)")]


def _rewrite(conn: sqlite3.Connection, lo: int, hi: int) -> None:
    """Rewrite the version rows with ids in (lo, hi], short where they repeat their entry."""
    columns = _columns(conn)
    short = {
        "author": "''",
        "published": "NULL",
        "updated": "NULL",
        "content_hash": f"'{SAME_AS_ENTRY}'",
    }
    chosen = ", ".join(
        f"CASE WHEN {_REPEATS_ENTRY} THEN {short[c]} ELSE v.{c} END" if c in short else f"v.{c}"
        for c in columns
    )
    rows = conn.execute(
        f"SELECT {chosen} FROM entry_versions v WHERE v.id > ? AND v.id <= ? ORDER BY v.id",
        (lo, hi),
    ).fetchall()
    if rows:
        conn.execute("DELETE FROM entry_versions WHERE id > ? AND id <= ?", (lo, hi))
        marks = ", ".join("?" * len(columns))
        conn.executemany(
            f"INSERT INTO entry_versions ({', '.join(columns)}) VALUES ({marks})", rows
        )

"""Migration 0050: entry bodies compressed in `entry_texts` (store/texts.py), converting a cache in
place.

Before it, `entries.body` held every current body in full and the full-text index read it from
there. The conversion, for a cache whose `entries` still has a `body` column:

1. one transaction: the old index's triggers and the old re-analysis trigger go (they name
   `entries.body`), the old index is dropped (its pages are free for what follows), and the new
   schema is created (`texts.SCHEMA`: `entry_texts`, the view the index reads, the index, its
   triggers);
2. batches of `BATCH` entries in id order, one transaction each: their bodies packed into
   `entry_texts` (whose trigger indexes them as they go in) and blanked in `entries`, so the
   pages they held are reused by the next batches: the file never needs a second copy of the
   bodies. Progress is the highest id in `entry_texts`, so a process killed in the middle (or
   another one opening the cache at the same time) goes on where the last batch committed;
3. one transaction: `ALTER TABLE entries DROP COLUMN body`, which rewrites the (by then narrow)
   rows once, and the migration is recorded.

A brand-new cache goes through the same steps with nothing to move. The number is outside the
core range on purpose: the conversion drops a trigger that migration 0021 (analysis range)
creates, so on a new cache it must run after 0021 has.

The file keeps its size (as with 0004, no VACUUM behind the user's back): the pages freed by the
bodies and the old index are reused by the entries written after it.
"""

from __future__ import annotations

import sqlite3

from wirereader.store import texts

NAME = "0050_bodies_packed"
BATCH = 2_000  # entries per transaction: a few MB of WAL, tens of milliseconds of lock
_OLD_TRIGGERS = (
    "entries_fts_insert",
    "entries_fts_delete",
    "entries_fts_update",
    "entries_text_changed_reanalyse",
)


def _has_body_column(conn: sqlite3.Connection) -> bool:
    return any(row[1] == "body" for row in conn.execute("PRAGMA table_info(entries)"))


def convert(conn: sqlite3.Connection) -> None:
    """Move the bodies into `entry_texts`; a no-op once `entries` has no body column."""
    if not _has_body_column(conn):
        return
    _prepare(conn)
    while _move_batch(conn):
        pass
    _drop_body_column(conn)


def _write(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")


def _prepare(conn: sqlite3.Connection) -> None:
    _write(conn)
    try:
        if _has_body_column(conn):  # another process may have finished meanwhile
            for name in _OLD_TRIGGERS:
                conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            old_index = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'entries_fts'"
            ).fetchone()
            if old_index is not None and "entries_fts_source" not in str(old_index[0]):
                conn.execute("DROP TABLE entries_fts")
            for statement in texts.SCHEMA:
                conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _move_batch(conn: sqlite3.Connection) -> bool:
    """Move the next batch of bodies; False when none were left."""
    _write(conn)
    try:
        if not _has_body_column(conn):
            conn.execute("COMMIT")
            return False
        rows = conn.execute(
            "SELECT id, body FROM entries"
            " WHERE id > (SELECT COALESCE(MAX(entry_id), 0) FROM entry_texts)"
            " ORDER BY id LIMIT ?",
            (BATCH,),
        ).fetchall()
        if rows:
            texts.insert_bodies(conn, [(int(r[0]), str(r[1] or "")) for r in rows])
            conn.execute(
                "UPDATE entries SET body = '' WHERE id BETWEEN ? AND ? AND body != ''",
                (rows[0][0], rows[-1][0]),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return bool(rows)


def _drop_body_column(conn: sqlite3.Connection) -> None:
    _write(conn)
    try:
        if _has_body_column(conn):
            left = conn.execute(
                "SELECT count(*) FROM entries"
                " WHERE id > (SELECT COALESCE(MAX(entry_id), 0) FROM entry_texts)"
            ).fetchone()[0]
            if left:  # written meanwhile by a process that holds no lock: cannot happen
                raise sqlite3.DatabaseError(f"{left} entry bodies left unconverted")
            conn.execute("ALTER TABLE entries DROP COLUMN body")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise

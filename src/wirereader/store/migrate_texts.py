"""Migration 0050: entry bodies packed in `entry_texts`, `entries` rebuilt narrow (store/texts.py),
converting a cache in place.

Before it, `entries.body` held every current body in full, so a row was ~1,600 bytes, and the
full-text index read the body from there. Blanking the bodies where they are would leave the
table's pages as many as before, each mostly empty (measured on the 40k feed corpus: 80.9 MB of
pages holding 11.6 MB of rows, and the file 20% larger than before with the packed bodies
added), so the rows move instead, as migration 0004 moved the versions:

1. one transaction: the old index, its triggers and the old re-analysis trigger go (they name
   `entries.body`; the index's pages are free for what follows); `entry_texts`, the new index
   and `entries_packed` (the `entries` table as created, without its body column) are created;
2. batches of `BATCH` entries in id order, one transaction each: each row copied into
   `entries_packed`, its body packed into `entry_texts` and indexed, and the batch deleted
   from `entries`. Whole pages of the old table are freed in every batch and reused by the
   next, so the file never needs a second copy of the table, and the WAL is cut back between
   batches. Progress is what is left in `entries`: a process killed in the middle (or another
   one opening the cache at the same time) goes on where the last batch committed;
3. one transaction, once `entries` is empty: it is dropped, `entries_packed` takes its name
   (the tables that point at `entries` by name point at it), its indexes are created again
   under their own names, and the triggers of store/texts.py are created.

A brand-new cache goes through the same steps with nothing to move. The number is outside the
core range on purpose: the conversion drops a trigger that migration 0021 (analysis range)
creates, so on a new cache it must run after 0021 has.

Foreign-key checks are off meanwhile (rows move between two tables that others point at by id;
the ids are kept). Pages freed and not reused stay in the file (SQLite gives them back only on
VACUUM, which is left to the user, as with 0004); new entries reuse them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from wirereader.core.text import fts_text
from wirereader.store import texts
from wirereader.store.write_transaction import in_write_transaction

NAME = "0050_bodies_packed"
BATCH = 2_000  # entries per transaction: a few MB of WAL, tens of milliseconds of lock
_NEW = "entries_packed"
_OLD_TRIGGERS = (
    "entries_fts_insert",
    "entries_fts_delete",
    "entries_fts_update",
    "entries_text_changed_reanalyse",
)
_BODY_DEFINITION = re.compile(r"\n?[ \t]*body\s+TEXT\s+NOT\s+NULL\s+DEFAULT\s+''\s*,", re.I)
_FTS_CHUNK = 300  # rows per index INSERT (three values each)


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]


def convert(
    conn: sqlite3.Connection, progress: Callable[[float], None] = lambda share: None
) -> None:
    """Move the bodies into `entry_texts` and the rows into a narrow `entries`; a no-op once
    `entries` has no body column."""
    if "body" not in _columns(conn, "entries"):
        return
    foreign_keys = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    secure_delete = int(conn.execute("PRAGMA secure_delete").fetchone()[0])
    conn.execute("PRAGMA foreign_keys = OFF")
    # Debian's SQLite zeroes every freed page by default (secure_delete = 1); the rows deleted
    # here are copied, not gone, and zeroing their pages tripled what each batch wrote
    # (measured: 3,000 entries, 4.0 MB of WAL per 500 against 1.2-2.2 MB with FAST, which
    # still clears deleted content on the pages it writes anyway).
    conn.execute("PRAGMA secure_delete = FAST")
    try:
        _prepare(conn)
        left = int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
        moved = 0
        while _move_batch(conn):
            moved += BATCH
            progress(min(0.99, moved / max(1, left)))
        _swap(conn)
    finally:
        conn.execute(f"PRAGMA secure_delete = {secure_delete}")
        conn.execute(f"PRAGMA foreign_keys = {foreign_keys}")


def _prepare(conn: sqlite3.Connection) -> None:
    def work() -> None:
        old = _columns(conn, "entries")
        if "body" not in old:  # another process finished meanwhile
            return
        for name in _OLD_TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        index = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'entries_fts'").fetchone()
        if index is not None and "entries_fts_source" not in str(index[0]):
            conn.execute("DROP TABLE entries_fts")
        conn.execute(texts.TABLE)
        conn.execute(texts.INDEX)
        if not _columns(conn, _NEW):
            sql = str(
                conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'"
                ).fetchone()[0]
            )
            narrow = _BODY_DEFINITION.sub("", sql, count=1)
            narrow = re.sub(r"^CREATE TABLE\s+\"?entries\"?", f"CREATE TABLE {_NEW}", narrow)
            conn.execute(narrow)
        if _columns(conn, _NEW) != [c for c in old if c != "body"]:
            raise sqlite3.DatabaseError("cannot convert entries: unexpected table definition")

    in_write_transaction(conn, work)


def _move_batch(conn: sqlite3.Connection) -> bool:
    """Move the next batch of entries; False when none were left."""

    def work() -> bool:
        old = _columns(conn, "entries")
        if "body" not in old:
            return False
        rows = conn.execute(
            f"SELECT {', '.join(old)} FROM entries ORDER BY id LIMIT ?", (BATCH,)
        ).fetchall()
        if not rows:
            return False
        at_body, at_id, at_title = old.index("body"), old.index("id"), old.index("title")
        kept = [c for c in old if c != "body"]
        marks = ", ".join("?" * len(kept))
        conn.executemany(
            f"INSERT INTO {_NEW} ({', '.join(kept)}) VALUES ({marks})",
            [tuple(v for i, v in enumerate(row) if i != at_body) for row in rows],
        )
        bodies = [(int(row[at_id]), str(row[at_body] or "")) for row in rows]
        texts.insert_bodies(conn, bodies)  # no trigger yet: indexed below, from the plain text
        for start in range(0, len(rows), _FTS_CHUNK):
            part = rows[start : start + _FTS_CHUNK]
            values: list[object] = []
            for row in part:
                values += (
                    row[at_id],
                    fts_text(str(row[at_title])),
                    fts_text(str(row[at_body] or "")),
                )
            conn.execute(
                "INSERT INTO entries_fts (rowid, title, body) VALUES "
                + ", ".join(["(?, ?, ?)"] * len(part)),
                values,
            )
        conn.execute("DELETE FROM entries WHERE id <= ?", (rows[-1][at_id],))
        return True

    return in_write_transaction(conn, work)


def _swap(conn: sqlite3.Connection) -> None:
    def work() -> None:
        if "body" not in _columns(conn, "entries"):  # another process swapped meanwhile
            return
        left = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        if left:  # written meanwhile by a process that holds no lock: cannot happen
            raise sqlite3.DatabaseError(f"{left} entries left unconverted")
        indexes = [
            str(row[0])
            for row in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries'"
                " AND sql IS NOT NULL"
            )
        ]
        conn.execute("DROP TABLE entries")
        conn.execute(f"ALTER TABLE {_NEW} RENAME TO entries")
        for sql in indexes:
            conn.execute(sql)
        for statement in texts.SCHEMA:
            conn.execute(statement)

    in_write_transaction(conn, work)

"""Migration 0004: each text stored once (see store/versions.py), converting a cache in place.

Before it, `entry_versions` held every version's title and body in full, the current one
included, so every entry's text was stored twice. The conversion moves the rows, a batch at a
time, into a table of the new shape (the text NULL when it is the entry's current text, else
packed), deleting each batch from the old table in the same transaction. Disk never needs twice
the table: the pages a batch frees are reused by the next batches, each batch is its own short
transaction (so the WAL is checkpointed and cut back between batches, and a reader is never held
up for long), and a process killed in the middle resumes where it stopped. When the old table is
empty it is dropped and the new one takes its name, with the same indexes.

The file keeps its size after the conversion (SQLite does not give pages back to the file system
on its own): the freed pages are reused by the entries written after it. `VACUUM` would return
them at once, but it rewrites the whole file and needs that much free disk again, so it is left
to the user (`sqlite3 CACHE 'VACUUM'` with wirereader closed), never done behind their back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from wirereader.store.texts import unpack as unpack_body
from wirereader.store.versions import pack
from wirereader.store.write_transaction import in_write_transaction

NAME = "0004_versions_stored_once"
BATCH = 2_000  # rows per transaction: a few MB of WAL, tens of milliseconds of lock
_NEW = "entry_versions_packed"


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]


def convert(
    conn: sqlite3.Connection, progress: Callable[[float], None] = lambda share: None
) -> None:
    """Convert `entry_versions` to texts stored once; a no-op when it already is."""
    old = _columns(conn, "entry_versions")
    if "body" not in old:
        return
    keep = [c for c in old if c not in ("title", "body")]
    foreign_keys = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    # Rows move between two tables that `articles.version_id` points at by id; the ids are kept,
    # but no single statement of the move can satisfy the check, so it is off meanwhile.
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        _create_new_table(conn, keep)
        left = int(conn.execute("SELECT count(*) FROM entry_versions").fetchone()[0])
        moved = 0
        while _move_batch(conn, keep):
            moved += BATCH
            progress(min(0.99, moved / max(1, left)))
        _swap(conn)
    finally:
        conn.execute(f"PRAGMA foreign_keys = {foreign_keys}")


def _create_new_table(conn: sqlite3.Connection, keep: list[str]) -> None:
    """The new table: the old one's columns and constraints without title and body, plus text."""
    definitions = {
        "id": "id INTEGER PRIMARY KEY",
        "entry_id": "entry_id INTEGER NOT NULL REFERENCES entries(id)",
        "author": "author TEXT NOT NULL",
        "published": "published TEXT",
        "updated": "updated TEXT",
        "content_hash": "content_hash TEXT NOT NULL",
        "seen_at": "seen_at INTEGER NOT NULL",
        "origin": "origin TEXT NOT NULL DEFAULT 'feed'",
        "url": "url TEXT NOT NULL DEFAULT ''",
    }
    columns = [definitions.get(c, c) for c in keep]
    # NULL: the entry's current title and body; else the earlier text, packed (versions.pack).
    columns.append("text BLOB")

    def create() -> None:
        # Read again under the write lock: another process opening the same new cache may have
        # converted it meanwhile, and a table made now would be left behind.
        if "body" in _columns(conn, "entry_versions"):
            conn.execute(f"CREATE TABLE IF NOT EXISTS {_NEW} ({', '.join(columns)})")

    in_write_transaction(conn, create)


def _move_batch(conn: sqlite3.Connection, keep: list[str]) -> bool:
    """Move the next batch of rows; False when none were left."""
    return in_write_transaction(conn, lambda: _move_batch_now(conn, keep))


def _move_batch_now(conn: sqlite3.Connection, keep: list[str]) -> bool:
    if "body" not in _columns(conn, "entry_versions"):  # another process finished meanwhile
        return False
    selected = ", ".join(f"v.{c}" for c in keep)
    # The entry's current body: in `entries` as 0004 was written, in `entry_texts` (packed)
    # once migration 0050 has moved it there. A cache upgraded before the migration record
    # had its 0004 written down and not done (store/migrations.py), so it comes here after
    # 0050 and 0053.
    if "body" in _columns(conn, "entries"):
        current = "e.body FROM entry_versions v LEFT JOIN entries e ON e.id = v.entry_id"
    else:
        current = (
            "t.body FROM entry_versions v LEFT JOIN entries e ON e.id = v.entry_id"
            " LEFT JOIN entry_texts t ON t.entry_id = v.entry_id"
        )
    rows = conn.execute(
        f"SELECT {selected}, v.title, v.body, e.title, {current} ORDER BY v.id LIMIT ?",
        (BATCH,),
    ).fetchall()
    if not rows:
        return False
    width = len(keep)
    moved = []
    for row in rows:
        title, body, current_title, stored_body = row[width : width + 4]
        current_body = None if stored_body is None else unpack_body(stored_body)
        same = title == current_title and body == current_body
        moved.append((*row[:width], None if same else pack(title, body)))
    marks = ", ".join("?" * (width + 1))
    conn.executemany(f"INSERT INTO {_NEW} ({', '.join(keep)}, text) VALUES ({marks})", moved)
    conn.execute("DELETE FROM entry_versions WHERE id <= ?", (rows[-1][0],))
    return True


def _swap(conn: sqlite3.Connection) -> None:
    in_write_transaction(conn, lambda: _swap_now(conn))


def _swap_now(conn: sqlite3.Connection) -> None:
    if "body" in _columns(conn, "entry_versions"):  # another process may have swapped
        indexes = [
            str(row[0])
            for row in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'entry_versions' AND sql IS NOT NULL"
            )
        ]
        # Triggers that name the table (0053's on `entries`, when this runs after it): SQLite
        # refuses the rename while a trigger names a table that is gone, so they are dropped
        # with it and made again as they were.
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL"
            " AND (tbl_name = 'entry_versions' OR sql LIKE '%entry_versions%')"
        ).fetchall()
        left = conn.execute("SELECT count(*) FROM entry_versions").fetchone()[0]
        if left:  # written meanwhile by a process that holds no lock: cannot happen
            raise sqlite3.DatabaseError(f"{left} version rows left unconverted")
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("DROP TABLE entry_versions")
        conn.execute(f"ALTER TABLE {_NEW} RENAME TO entry_versions")
        for sql in indexes:
            conn.execute(sql)
        for _, sql in triggers:
            conn.execute(sql)

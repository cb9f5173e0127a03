"""The statements of deduplication (analysis/dedup/reposts.py): lookup keys in `dedup_keys`, and
items as entries whose `repost_of` points straight at their canonical entry. Each runs inside
the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from wirereader.store.bulk import execute_rows, select_in


def insert_keys(conn: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """Store (key, entry id) pairs; a pair already stored stays as it is."""
    execute_rows(conn, "INSERT OR IGNORE INTO dedup_keys (key, entry_id)", rows)


def key_holders(conn: sqlite3.Connection, keys: Iterable[int]) -> list[Any]:
    """The (key, entry id) rows holding any of `keys`, asked in the keys' order."""
    return select_in(conn, "key, entry_id", "dedup_keys", "key", keys)


def entry_texts(conn: sqlite3.Connection, ids: Sequence[int]) -> sqlite3.Cursor:
    """(id, title, body) of these entries."""
    marks = ",".join("?" * len(ids))
    return conn.execute(
        "SELECT e.id, e.title, wirereader_body(t.body) FROM entries e"
        f" LEFT JOIN entry_texts t ON t.entry_id = e.id WHERE e.id IN ({marks})",
        ids,
    )


def item_roots(conn: sqlite3.Connection, ids: Sequence[int]) -> sqlite3.Cursor:
    """The canonical entry of each of these entries' items (one row each)."""
    marks = ",".join("?" * len(ids))
    return conn.execute(f"SELECT coalesce(repost_of, id) FROM entries WHERE id IN ({marks})", ids)


def times_and_threads(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Any]:
    """(id, published_at, thread_id) of these entries."""
    marks = ",".join("?" * len(ids))
    return conn.execute(
        f"SELECT id, published_at, thread_id FROM entries WHERE id IN ({marks})", ids
    ).fetchall()


def repoint_items(conn: sqlite3.Connection, root: int, old_roots: Sequence[int]) -> None:
    """`old_roots` and their reposts become reposts of `root`."""
    marks = ",".join("?" * len(old_roots))
    conn.execute(
        f"UPDATE entries SET repost_of = ? WHERE (repost_of IN ({marks}) OR id IN ({marks}))"
        f" AND id != ?",
        [root, *old_roots, *old_roots, root],
    )


def make_root(conn: sqlite3.Connection, root: int, thread: int | None) -> None:
    """`root` is an item (not a repost), in `thread` when that is given."""
    conn.execute(
        "UPDATE entries SET repost_of = NULL, thread_id = coalesce(?, thread_id) WHERE id = ?",
        (thread, root),
    )


def move_reposts_to_thread(conn: sqlite3.Connection, root: int, thread: int) -> None:
    """The reposts of `root` follow it into `thread`."""
    conn.execute("UPDATE entries SET thread_id = ? WHERE repost_of = ?", (thread, root))

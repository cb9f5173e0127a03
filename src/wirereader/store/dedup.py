"""The statements of deduplication (analysis/dedup/reposts.py): lookup keys in `dedup_keys`, and
items as entries whose `repost_of` points straight at their canonical entry. Each runs inside
the caller's transaction.

A key is stored as its top 47 bits (`KEY_SHIFT`, migration 0052): SQLite then stores it in 6
bytes instead of 8, and a row in 15 instead of 17 (12% of the table: 221 -> 194 bytes per
entry on the 40k feed corpus, the largest part of what the analysis writes to the WAL). A
stored key only proposes candidates, each compared on its text before it is taken; two keys
that share their top 47 bits would propose a wrong one. With 12 million keys a year (1M items)
the expected number of such meetings in the whole year is about one, and each is then
compared and turned down."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from wirereader.store.bulk import execute_rows, select_in

KEY_SHIFT = 16  # keys are non-negative 63-bit values: the top 47 bits fit 6 bytes


def insert_keys(conn: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """Store (key, entry id) pairs; a pair already stored stays as it is."""
    execute_rows(
        conn,
        "INSERT OR IGNORE INTO dedup_keys (key, entry_id)",
        [(key >> KEY_SHIFT, entry) for key, entry in rows],
    )


def key_holders(conn: sqlite3.Connection, keys: Iterable[int]) -> list[tuple[int, int]]:
    """The (key, entry id) pairs of the entries holding any of `keys` (as stored: see
    KEY_SHIFT), asked in the keys' order."""
    asked: dict[int, list[int]] = {}
    for key in keys:
        asked.setdefault(key >> KEY_SHIFT, []).append(key)
    return [
        (key, int(entry))
        for stored, entry in select_in(conn, "key, entry_id", "dedup_keys", "key", asked)
        for key in asked[stored]
    ]


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

"""Reading state: read / unread and starred, written to the cache the moment the user acts.

An item is a canonical entry plus its reposts; marking an item read (or unread) marks its reposts
too, so a repost never comes back as unread from another source. No Textual here: the CLI and the
app share these functions.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from wirereader.store.db import Store


def _with_reposts(store: Store, ids: list[int]) -> list[int]:
    """The ids given, their canonical items, and every repost of those items."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = store.conn.execute(
        f"SELECT id FROM entries WHERE id IN ({marks}) OR repost_of IN ({marks})"
        f" OR id IN (SELECT repost_of FROM entries WHERE id IN ({marks}) AND repost_of IS NOT NULL)"
        f" OR repost_of IN (SELECT repost_of FROM entries WHERE id IN ({marks})"
        f" AND repost_of IS NOT NULL)",
        ids * 4,
    )
    return [int(r[0]) for r in rows]


def set_read(store: Store, ids: Iterable[int], read: bool = True, *, at: int | None = None) -> int:
    """Mark items (and their reposts) read or unread; returns how many entries changed."""
    wanted = _with_reposts(store, list(ids))
    if not wanted:
        return 0
    marks = ",".join("?" * len(wanted))
    with store.transaction() as conn:
        if read:
            cur = conn.execute(
                f"UPDATE entries SET read_at = ? WHERE id IN ({marks}) AND read_at IS NULL",
                [at if at is not None else int(time.time()), *wanted],
            )
        else:
            cur = conn.execute(
                f"UPDATE entries SET read_at = NULL WHERE id IN ({marks}) AND read_at IS NOT NULL",
                wanted,
            )
    return cur.rowcount


def mark_read(store: Store, entry_id: int) -> int:
    return set_read(store, [entry_id], True)


def mark_unread(store: Store, entry_id: int) -> int:
    return set_read(store, [entry_id], False)


def is_read(store: Store, entry_id: int) -> bool:
    row = store.conn.execute("SELECT read_at FROM entries WHERE id = ?", (entry_id,)).fetchone()
    return row is not None and row[0] is not None


def toggle_read(store: Store, entry_id: int) -> bool:
    """Flip the read state of an item; returns the new state (True: read)."""
    now_read = not is_read(store, entry_id)
    set_read(store, [entry_id], now_read)
    return now_read


def set_starred(store: Store, entry_id: int, starred: bool) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE entries SET starred = ? WHERE id = ?", (int(starred), entry_id))


def toggle_star(store: Store, entry_id: int) -> bool:
    """Flip the star of an entry; returns the new state."""
    row = store.conn.execute("SELECT starred FROM entries WHERE id = ?", (entry_id,)).fetchone()
    starred = not (row is not None and bool(row[0]))
    set_starred(store, entry_id, starred)
    return starred

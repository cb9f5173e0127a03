"""What changed in the cache since the app last looked, whoever wrote it.

SQLite's `data_version` changes on any other connection's commit, so checking it costs one cheap
pragma; only then are the new items (entries above the newest id seen) read, with their threads,
so the reader can announce them ("3 new items: 2 in ...").
"""

from __future__ import annotations

from typing import NamedTuple

from wirereader.store.db import Store


class NewItem(NamedTuple):
    id: int
    thread: int | None


def data_version(store: Store) -> int:
    """Changes whenever another connection commits to the cache (not on this one's commits)."""
    return int(store.conn.execute("PRAGMA data_version").fetchone()[0])


def newest_entry_id(store: Store) -> int:
    return int(store.conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0])


def new_items(store: Store, after_id: int) -> list[NewItem]:
    """Items (not reposts) stored after entry `after_id`, with their thread."""
    return [
        NewItem(int(r[0]), r[1])
        for r in store.conn.execute(
            "SELECT id, thread_id FROM entries WHERE id > ? AND repost_of IS NULL",
            (after_id,),
        )
    ]


def thread_title(store: Store, thread_id: int) -> str:
    """The thread's headline; '' for a thread that is gone."""
    row = store.conn.execute("SELECT title FROM threads WHERE id = ?", (thread_id,)).fetchone()
    return (row[0] if row else "") or ""

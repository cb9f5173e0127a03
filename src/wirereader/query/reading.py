"""Reading actions over a view: mark every unread item of a filter read, find the next unread.

They select through the timeline query (so they follow exactly the filter the reader shows) and
write through store.reading.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from wirereader.query.timeline import EntryRow, Filter, Query
from wirereader.store.db import Store
from wirereader.store.reading import is_read, set_read, set_starred


def mark_all_read(store: Store, flt: Filter) -> int:
    """Every unread item of a view (and its reposts) read, in one transaction."""
    sql, params = Query(store, replace(flt, unread_only=True)).id_subquery()
    ids = [int(r[0]) for r in store.conn.execute(sql, params)]
    changed = 0
    for start in range(0, len(ids), 400):  # stay under SQLite's bound-parameter limit
        changed += set_read(store, ids[start : start + 400], True)
    return changed


def next_unread(
    store: Store, flt: Filter, after: tuple[int, int] | None = None, *, wrap: bool = True
) -> EntryRow | None:
    """The first unread item of the view after the (published_at, id) key, newest first.

    With `wrap`, the search continues from the top when nothing unread is left below.
    """
    query = Query(store, replace(flt, unread_only=True))
    rows = query.page(1, after)
    if not rows and wrap and after is not None:
        rows = query.page(1)
    return rows[0] if rows else None


class PendingMarks:
    """Reading state the user set that is not written yet, and the writing of it.

    The reader records each change here first and writes it from a thread of its own, on a
    connection of its own with a short busy timeout, so a write that cannot happen now (another
    process holding the write lock through a 250,000-item import, a full disk, a read-only file)
    neither freezes the screen nor loses what the user did: the change stays here, shown as done,
    and is written at the next try. Later changes to the same entry replace earlier ones.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.read: dict[int, int | None] = {}  # entry id -> read_at (None: unread)
        self.starred: dict[int, bool] = {}
        self.all_read: list[Filter] = []  # "mark all read" of a view, as its filter

    def __len__(self) -> int:
        with self._lock:
            return len(self.read) + len(self.starred) + len(self.all_read)

    def set_read(self, entry_id: int, read: bool) -> None:
        with self._lock:
            self.read[entry_id] = int(time.time()) if read else None

    def set_starred(self, entry_id: int, starred: bool) -> None:
        with self._lock:
            self.starred[entry_id] = starred

    def mark_all_read(self, flt: Filter) -> None:
        with self._lock:
            self.all_read.append(flt)

    def is_read(self, store: Store, entry_id: int) -> bool:
        with self._lock:
            if entry_id in self.read:
                return self.read[entry_id] is not None
        return is_read(store, entry_id)

    def is_starred(self, store: Store, entry_id: int) -> bool:
        with self._lock:
            if entry_id in self.starred:
                return self.starred[entry_id]
        row = store.conn.execute("SELECT starred FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return row is not None and bool(row[0])

    def flush(self, store: Store) -> int:
        """Write everything pending in one transaction; what was written leaves the queue.

        Raises what the write raised (the queue is then unchanged), for the caller to report.
        """
        with self._lock:
            read, starred, views = dict(self.read), dict(self.starred), list(self.all_read)
        if not (read or starred or views):
            return 0
        with store.transaction():
            for flt in views:
                mark_all_read(store, flt)
            for entry_id, at in read.items():
                set_read(store, [entry_id], at is not None, at=at)
            for entry_id, value in starred.items():
                set_starred(store, entry_id, value)
        with self._lock:
            for entry_id, at in read.items():
                if self.read.get(entry_id, -1) == at:
                    del self.read[entry_id]
            for entry_id, value in starred.items():
                if self.starred.get(entry_id) is value:
                    del self.starred[entry_id]
            del self.all_read[: len(views)]
        return len(read) + len(starred) + len(views)

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
    and is written at the next try. Later changes to the same entry replace earlier ones, and
    the marks are written in the order they were made (an item marked unread and then read by
    'A' on its view is read).

    What the reader shows (its rows, its unread count) is the file's state with these marks
    over it (`decided`, `unread_count`).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.read: dict[int, int | None] = {}  # entry id -> read_at (None: unread)
        self.starred: dict[int, bool] = {}
        self.all_read: list[Filter] = []  # "mark all read" of a view, as its filter
        self._order: dict[int, int] = {}  # entry id -> when its read mark was made
        self._view_order: list[int] = []  # ... and each of `all_read`
        self._made = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self.read) + len(self.starred) + len(self.all_read)

    def set_read(self, entry_id: int, read: bool) -> None:
        with self._lock:
            self._made += 1
            self.read[entry_id] = int(time.time()) if read else None
            self._order[entry_id] = self._made

    def set_starred(self, entry_id: int, starred: bool) -> None:
        with self._lock:
            self.starred[entry_id] = starred

    def mark_all_read(self, flt: Filter) -> None:
        with self._lock:
            self._made += 1
            self.all_read.append(flt)
            self._view_order.append(self._made)

    def _snapshot(self) -> tuple[dict[int, int | None], dict[int, int], list[tuple[Filter, int]]]:
        with self._lock:
            views = list(zip(self.all_read, self._view_order, strict=True))
            return dict(self.read), dict(self._order), views

    def decided(self, store: Store, ids: list[int]) -> tuple[dict[int, bool], dict[int, bool]]:
        """(read, starred) of those of `ids` whose state a mark not written yet decides."""
        read, order, views = self._snapshot()
        with self._lock:
            starred = {i: self.starred[i] for i in ids if i in self.starred}
        decided: dict[int, bool] = {}
        for entry_id in ids:
            if entry_id in read:
                decided[entry_id] = read[entry_id] is not None
        for flt, made in views:  # a view marked read after an item's own mark is the later word
            for entry_id in _members(store, replace(flt, unread_only=False), ids):
                if entry_id not in order or order[entry_id] < made:
                    decided[entry_id] = True
        return decided, starred

    def is_read(self, store: Store, entry_id: int) -> bool:
        decided = self.decided(store, [entry_id])[0]
        if entry_id in decided:
            return decided[entry_id]
        return is_read(store, entry_id)

    def is_starred(self, store: Store, entry_id: int) -> bool:
        with self._lock:
            if entry_id in self.starred:
                return self.starred[entry_id]
        row = store.conn.execute("SELECT starred FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return row is not None and bool(row[0])

    def unread_count(self, store: Store, flt: Filter) -> int:
        """The view's unread items as the reader shows them: the file's, with the marks not
        written yet over them (after 'A' on a full disk the view has none)."""
        read, _, views = self._snapshot()
        unread = Query(store, replace(flt, unread_only=True))
        if not read and not views:
            return unread.count()
        sql, params = unread.id_subquery()
        in_views: set[int] = set()  # the items' own marks that a marked view holds
        own = list(read)
        for marked, _ in views:
            every = replace(marked, unread_only=False)
            inner, more = Query(store, every).id_subquery()
            sql += f" AND e.id NOT IN ({inner})"
            params += more
            in_views.update(_members(store, every, own))
        count = int(store.conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])
        # The items with a mark of their own: out of the file's count (read 400 ids at a time,
        # as `_members` does, under SQLite's bound-parameter limit), in as the marks say.
        counted = set(_members(store, replace(flt, unread_only=True), own)) - in_views
        decided = self.decided(store, own)[0]
        shown = [i for i in _members(store, replace(flt, unread_only=False), own) if not decided[i]]
        return count - len(counted) + len(shown)

    def unread_by_source(self, store: Store) -> dict[int, int]:
        """How the marks not written yet change each source's unread items (reposts folded),
        by source id: the feeds screen adds it to the file's counts, to count what the reader
        shows (after 'A' on a full disk its feeds have none unread)."""
        read, _, views = self._snapshot()
        change: dict[int, int] = {}
        own = list(read)
        in_views: set[int] = set()  # the items' own marks that a marked view holds
        if views:
            held: list[str] = []
            params: list[object] = []
            for marked, _ in views:
                every = replace(marked, unread_only=False)
                inner, more = Query(store, every).id_subquery()
                held.append(f"e.id IN ({inner})")
                params += more
                in_views.update(_members(store, every, own))
            sql = (
                "SELECT e.source_id, count(*) FROM entries e"
                " WHERE e.read_at IS NULL AND e.repost_of IS NULL"
                f" AND ({' OR '.join(held)}) GROUP BY e.source_id"
            )
            for source_id, count in store.conn.execute(sql, params):
                change[int(source_id)] = change.get(int(source_id), 0) - int(count)
        decided = self.decided(store, own)[0]
        for start in range(0, len(own), 400):  # stay under SQLite's bound-parameter limit
            chunk = own[start : start + 400]
            marks = ",".join("?" * len(chunk))
            for entry_id, source_id, unread in store.conn.execute(
                "SELECT id, source_id, read_at IS NULL FROM entries"
                f" WHERE repost_of IS NULL AND id IN ({marks})",
                chunk,
            ):
                # Out of the file's count as the views took it, in as its marks decide.
                was = int(unread) and int(entry_id) not in in_views
                now = not decided[int(entry_id)]
                change[int(source_id)] = change.get(int(source_id), 0) + int(now) - int(was)
        return {source_id: n for source_id, n in change.items() if n}

    def flush(self, store: Store) -> int:
        """Write everything pending in one transaction; what was written leaves the queue.

        Raises what the write raised (the queue is then unchanged), for the caller to report.
        """
        read, order, views = self._snapshot()
        with self._lock:
            starred = dict(self.starred)
        if not (read or starred or views):
            return 0
        marks: list[tuple[int, Filter | int]] = [(made, flt) for flt, made in views]
        marks += [(order[entry_id], entry_id) for entry_id in read]
        with store.transaction():
            for _, mark in sorted(marks, key=lambda made_mark: made_mark[0]):
                if isinstance(mark, Filter):
                    mark_all_read(store, mark)
                else:
                    at = read[mark]
                    set_read(store, [mark], at is not None, at=at)
            for entry_id, value in starred.items():
                set_starred(store, entry_id, value)
        with self._lock:
            for entry_id in read:
                if self._order.get(entry_id) == order[entry_id]:
                    del self.read[entry_id]
                    del self._order[entry_id]
            for entry_id, value in starred.items():
                if self.starred.get(entry_id) is value:
                    del self.starred[entry_id]
            del self.all_read[: len(views)]
            del self._view_order[: len(views)]
        return len(read) + len(starred) + len(views)


def _members(store: Store, flt: Filter, ids: list[int]) -> list[int]:
    """Those of `ids` in the view of `flt`."""
    if not ids:
        return []
    sql, params = Query(store, flt).id_subquery()
    found: list[int] = []
    for start in range(0, len(ids), 400):  # stay under SQLite's bound-parameter limit
        chunk = ids[start : start + 400]
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(f"{sql} AND e.id IN ({marks})", [*params, *chunk])
        found += [int(r[0]) for r in rows]
    return found
